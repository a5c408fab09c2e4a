import groovy.json.JsonSlurper
// The example's migration Job runs SQL that PostgreSQL refuses: deploy fails on the Job before DataStorage is
// deployed, psql's error is in the Job pod's log in the diagnostics, and what the run created is removed.
def log = new File(basedir, 'build.log').text
def gateway = new File(basedir, '../../../examples/datastorage-e2e/gateway').canonicalFile
def ledger = new JsonSlurper().parse(new File(gateway, 'target/e2e/ledger.json'))
def ns = ledger.objects.find { it.kind == 'Namespace' }.name
def failure = log.readLines().findIndexOf { it.contains('Job datastorage-migrations will not complete') }
assert failure >= 0 : 'deploy names the failed Job'
assert log.readLines()[failure].contains('exited with code 1') : 'with the exit code'
assert log.readLines().drop(failure).take(4).any { it.contains('ERROR:  syntax error at or near "TABEL"') } :
    "and psql's error in the same message"
assert !log.contains('stage 3/3') : 'no DataStorage after a failed migration'
def diag = new File(gateway, "target/e2e/diagnostics/${ns}")
assert log.contains("diagnostics: ${diag}".toString()) : 'the error names the diagnostics directory'
def logs = new File(diag, 'logs').listFiles() as List
assert logs.any { it.name.startsWith('datastorage-migrations-') && it.text.contains('ERROR:  syntax error at or near "TABEL"') } :
    "psql's error is in the Job pod's log: ${logs*.name}"
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
assert ledger.nodeImages.every { it.state in ['REMOVED', 'REUSED'] }
ledger.images.each { i ->
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', i.reference].execute().waitFor()
    ['docker', 'rmi', i.reference].execute().waitFor()
}
return true
