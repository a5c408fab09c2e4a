import groovy.json.JsonSlurper
// The migration Job's every attempt exits 3: deploy fails with the exit code and the Job's log as soon as the
// Job's back-off cannot pass before the deploy timeout (2 min) — well inside it — and never reaches stage 2.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def image = report.images.find { it.id == 'datastorage' }
try {
    assert report.failure?.goal == 'deploy' : report.failure
    // what a person reads: the Job, the exit code and reason (in the one line), and the Job's last log lines
    assert report.failure.message.contains('Job migrations') && report.failure.message.contains('code 3') : report.failure
    assert log.contains('ERROR: relation users already exists') : 'the Job\'s last log lines are in the message'
    // stage 2 (DataStorage) is never applied
    assert !report.objects.any { it.kind == 'Deployment' } : "stage 2 was applied: ${report.objects}"
    assert report.objects.any { it.kind == 'Job' && it.name == 'migrations' }
    def deploy = report.goals.find { it.goal == 'deploy' }
    assert deploy.seconds < 75 : "deploy must fail well inside its 2 min timeout, took ${deploy.seconds} s"
    assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
} finally {
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', image.reference].execute().waitFor()
    ['docker', 'rmi', image.reference].execute().waitFor()
}
return true
