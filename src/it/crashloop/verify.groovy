import groovy.json.JsonSlurper
// DataStorage crashes at start: deploy fails fast, names the reason, leaves diagnostics, and the
// teardown at exit removes what the run created. Judged on report.json, the diagnostics and the build's time.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ns = "e2e-gateway-${report.run}"
assert report.failure?.goal == 'deploy' : "deploy must fail: ${report.failure}"
assert report.failure.message.contains('CrashLoopBackOff') : 'deploy must report CrashLoopBackOff'
def whole = report.failure.text ?: report.failure.message // the one line, then the container's last log lines
assert whole.contains("${basedir}/target/e2e/diagnostics/${ns}".toString()) : 'the error names the diagnostics directory'
def diag = new File(basedir, "target/e2e/diagnostics/${ns}")
assert new File(diag, 'events.txt').isFile()
assert diag.toPath().resolve('pods').toFile().list().any { it.startsWith('datastorage-') }
assert diag.toPath().resolve('logs').toFile().listFiles().any { it.text.contains('cannot connect to postgresql') } : 'the crashing container\'s log is on disk'
def deploy = report.goals.find { it.goal == 'deploy' }
assert deploy.seconds < 30 : "deploy must fail fast: ${deploy.seconds} s"
def total = (log =~ /Total time:\s+([\d.]+) s/)
assert total.find() && Double.parseDouble(total.group(1)) < 30 : 'the build (deploy included) must fail in under 30 s'
// the failed goal removed what the run created (before the report was written)
assert report.namespace.state == 'REMOVED'
assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
assert report.images.every { i -> i.nodes.every { it.state in ['REMOVED', 'REUSED'] } }
def image = report.images.find { it.id == 'datastorage' }
['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', image.reference].execute().waitFor()
['docker', 'rmi', image.reference].execute().waitFor()
return true
