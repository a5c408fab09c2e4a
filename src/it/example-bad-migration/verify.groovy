import groovy.json.JsonSlurper
// The example's migration Job runs SQL that PostgreSQL refuses: deploy fails on the Job before DataStorage is
// deployed, psql's error is in the Job pod's log in the diagnostics, and what the run created is removed.
def log = new File(basedir, 'build.log').text
def lifecycle = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Lifecycle.groovy'))
def gateway = new File(basedir, '../../../examples/datastorage-e2e/gateway').canonicalFile
def report = new JsonSlurper().parse(new File(gateway, 'target/e2e/report.json'))
def ns = report.namespace.name
assert report.failure?.goal == 'deploy' : report.failure
// what a person reads: the Job and its exit code (the one line), psql's error right under it
assert report.failure.message.contains('datastorage-migrations') && report.failure.message.contains('code 1') : report.failure
def failure = log.readLines().findIndexOf { it.contains('datastorage-migrations') && it.contains('code 1') }
assert log.readLines().drop(failure).take(4).any { it.contains('syntax error at or near "TABEL"') } :
    "and psql's error in the same message"
assert !report.objects.any { it.kind == 'Deployment' && it.name == 'datastorage' } : 'no DataStorage after a failed migration'
def diag = new File(gateway, "target/e2e/diagnostics/${ns}")
assert (report.failure.text ?: report.failure.message).contains(diag.toString()) : 'the error names the diagnostics directory'
def logs = new File(diag, 'logs').listFiles() as List
assert logs.any { it.name.startsWith('datastorage-migrations-') && it.text.contains('ERROR:  syntax error at or near "TABEL"') } :
    "psql's error is in the Job pod's log: ${logs*.name}"
lifecycle.failedRunCleanedUp(report, itCluster)
return true
