import groovy.json.JsonSlurper
// The migration Job's every attempt exits 3: deploy fails with the exit code and the Job's log as soon as the
// Job's back-off cannot pass before the deploy timeout (2 min) — well inside it — and never reaches stage 2.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
try {
    assert log.contains('Job migrations will not complete') : 'deploy must report the Job'
    assert log.contains('container migrate exited with code 3 (Error)') : 'the exit code and reason are named'
    assert log.contains('ERROR: relation users already exists') : 'the Job\'s last log lines are in the message'
    assert !log.contains('e2e: stage 2/2') : 'stage 2 is never applied'
    def deployStart = log.indexOf('e2e: stage 1/2: applied')
    assert deployStart >= 0
    def total = (log =~ /Total time:\s+(?:(\d+):)?([\d.]+) (s|min)/)
    assert total.find() : 'total time'
    def seconds = total.group(1) == null ? Double.parseDouble(total.group(2))
            : 60 * Integer.parseInt(total.group(1)) + Double.parseDouble(total.group(2))
    assert seconds < 75 : "the build must fail well inside the 2 min deploy timeout, took ${total.group(0)}"
    assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
} finally {
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', image.reference].execute().waitFor()
    ['docker', 'rmi', image.reference].execute().waitFor()
}
return true
