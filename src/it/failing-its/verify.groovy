import groovy.json.JsonSlurper
// A consumer IT fails: teardown collects diagnostics first, then removes everything; the build is red.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ns = "e2e-gateway-${report.run}"
assert log.contains('Tests run: 1, Failures: 1') : 'the consumer IT must have failed'
assert log.contains("diagnostics of namespace ${ns}") : 'the log tells a person where the diagnostics are'
assert new File(basedir, "target/e2e/diagnostics/${ns}/events.txt").isFile()
// diagnostics before removal: the run's pod was still there to be described
assert new File(basedir, "target/e2e/diagnostics/${ns}/pods").list().any { it.startsWith('datastorage-') }
assert report.namespace.name == ns && report.namespace.state == 'REMOVED' : report.namespace
assert report.objects.every { it.state == 'REMOVED' }
// the e2e goals all succeeded: the failure is the tests', which failsafe:verify turns red
assert report.failure == null && report.goals.every { it.outcome == 'success' } : report.goals
assert log.contains('BUILD FAILURE') && log.contains('There are test failures') : 'failsafe:verify turns the build red'
def image = report.images.find { it.id == 'datastorage' }
assert !image.built || image.state == 'REMOVED' : 'removeImages=all'
return true
