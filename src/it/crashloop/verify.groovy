import groovy.json.JsonSlurper
// DataStorage crashes at start: deploy fails fast, names the reason, leaves diagnostics, and the
// teardown at exit removes what the run created.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def ns = "e2e-gateway-${ledger.run}"
assert log.contains('is CrashLoopBackOff') : 'deploy must report CrashLoopBackOff'
assert log.contains("diagnostics: ${basedir}/target/e2e/diagnostics/${ns}".toString()) : 'the error names the diagnostics directory'
def diag = new File(basedir, "target/e2e/diagnostics/${ns}")
assert new File(diag, 'events.txt').isFile()
assert diag.toPath().resolve('pods').toFile().list().any { it.startsWith('datastorage-') }
assert diag.toPath().resolve('logs').toFile().listFiles().any { it.text.contains('cannot connect to postgresql') } : 'the crashing container\'s log is on disk'
def total = (log =~ /Total time:\s+([\d.]+) s/)
assert total.find() && Double.parseDouble(total.group(1)) < 30 : 'the build (deploy included) must fail in under 30 s'
assert log.contains('e2e: deploy failed: removing what run') : 'the failed goal removed what the run created'
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
assert ledger.nodeImages.every { it.state in ['REMOVED', 'REUSED'] }
def image = ledger.images.find { it.id == 'datastorage' }
['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', image.reference].execute().waitFor()
['docker', 'rmi', image.reference].execute().waitFor()
return true
