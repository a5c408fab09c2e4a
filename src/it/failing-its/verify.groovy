import groovy.json.JsonSlurper
// A consumer IT fails: teardown collects diagnostics first, then removes everything; the build is red.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def ns = "e2e-gateway-${ledger.run}"
assert log.contains('Tests run: 1, Failures: 1') : 'the consumer IT must have failed'
assert log.contains("e2e: the integration tests failed; diagnostics of namespace ${ns} are in") : 'diagnostics announced'
assert new File(basedir, "target/e2e/diagnostics/${ns}/events.txt").isFile()
assert new File(basedir, "target/e2e/diagnostics/${ns}/pods").list().any { it.startsWith('datastorage-') }
assert log.contains("e2e: removed Namespace/${ns}") : 'namespace removed after the diagnostics'
assert log.indexOf('diagnostics of namespace') < log.indexOf("e2e: removed Namespace/${ns}") : 'diagnostics before removal'
assert ledger.objects.every { it.state == 'REMOVED' }
assert log.contains('BUILD FAILURE') && log.contains('There are test failures') : 'failsafe:verify turns the build red'
def image = ledger.images.find { it.id == 'datastorage' }
assert log.contains("e2e: removed image ${image.reference}") : 'removeImages=all'
return true
