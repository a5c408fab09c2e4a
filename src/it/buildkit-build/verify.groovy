import groovy.json.JsonSlurper
// On Docker a RUN --mount Dockerfile goes to BuildKit through the docker CLI: built under the decided tag with the
// build args (E2E_SOURCE_DIGEST too) and the secret, whose value never reaches the log; teardown removes the image.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def app = report.images.find { it.id == 'app' }
assert log.contains('[app] BuildKit through ') && log.contains('RUN --mount=type=cache (line 6)') : 'BuildKit was chosen, and a person is told why'
// the RUN's own output (the build's, not the plugin's wording)
assert log.contains("greeting=hello-buildkit digest=${app.sourceDigest} secret-bytes=20") : 'build args and the secret reached the RUN'
assert app.built && app.imageId ==~ /sha256:[0-9a-f]{64}/ : 'built under the decided tag'
assert report.goals*.goal == ['tag', 'build', 'teardown'] && report.failure == null : report.goals
assert !log.contains('it-secret-value-0123') : 'the secret value is in the log'
assert app.state == 'REMOVED' : "${app}"
def p = ['docker', 'image', 'inspect', app.reference].execute(); p.waitFor()
assert p.exitValue() != 0 : "${app.reference} is left behind"
return true
