import groovy.json.JsonSlurper
// DataStorage points at a PostgreSQL that does not exist: the migration succeeded, DataStorage runs but its
// readiness probe never passes; deploy times out and the diagnostics name the failing probe (the kubelet's
// Unhealthy event) and why (DataStorage's own log), and what the run created is removed.
def log = new File(basedir, 'build.log').text
def lifecycle = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Lifecycle.groovy'))
def gateway = new File(basedir, '../../../examples/datastorage-e2e/gateway').canonicalFile
def report = new JsonSlurper().parse(new File(gateway, 'target/e2e/report.json'))
def ns = report.namespace.name
assert report.objects.any { it.kind == 'Deployment' && it.name == 'datastorage' } : 'PostgreSQL, Redis and the migration were fine'
assert report.failure?.goal == 'deploy' : report.failure
// what a person reads, as kubectl rollout status would say it: not ready, how many replicas, the failing probe
def message = report.failure.text ?: report.failure.message
assert message.contains('Deployment/datastorage') && message.contains('0 of 1 updated replicas') : message
assert message.contains('Readiness probe failed') && message.contains('503') : 'and names the failing probe'
def diag = new File(gateway, "target/e2e/diagnostics/${ns}")
assert message.contains(diag.toString()) : 'the error names the diagnostics directory'
def events = new File(diag, 'events.txt').text
assert events =~ /Unhealthy.*Readiness probe failed: HTTP probe failed with statuscode: 503/ : "the failing probe is named: ${events}"
def logs = new File(diag, 'logs').listFiles() as List
assert logs.any { it.name.startsWith('datastorage-') && !it.name.startsWith('datastorage-migrations')
    && it.text.contains('not ready: database: jdbc:postgresql://no-such-postgresql:5432/datastorage') } :
    "DataStorage's log says why: ${logs*.name}"
lifecycle.failedRunCleanedUp(report, itCluster)
return true
