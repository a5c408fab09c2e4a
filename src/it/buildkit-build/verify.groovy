import groovy.json.JsonSlurper
// On Docker a RUN --mount Dockerfile goes to BuildKit through the docker CLI: built under the decided tag with the
// build args (E2E_SOURCE_DIGEST too) and the secret, whose value never reaches the log; teardown removes the image.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def app = ledger.images.find { it.id == 'app' }
assert log.contains('[app] BuildKit through ') && log.contains('RUN --mount=type=cache (line 6)') : 'BuildKit was chosen'
assert log.contains("greeting=hello-buildkit digest=${app.digest} secret-bytes=20") : 'build args and the secret reached the RUN'
assert log.contains("e2e: app: built ${app.reference}") : 'built under the decided tag'
assert !log.contains('it-secret-value-0123') : 'the secret value is in the log'
assert app.state == 'REMOVED' : "${app}"
def p = ['docker', 'image', 'inspect', app.reference].execute(); p.waitFor()
assert p.exitValue() != 0 : "${app.reference} is left behind"
return true
