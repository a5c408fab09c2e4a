// Every wrong configuration failed with its one-line message naming the parameter, no stack trace,
// and nothing was left behind.
// The messages are what is under test here: expected.txt gives, per configuration, a few distinctive words (the
// parameter first) that one line of the log must hold in that order, not whole sentences.
def log = new File(basedir, 'build.log').text
def lines = log.readLines()
def expected = new File(basedir, 'expected.txt').readLines().collect { it.split('\t') as List }
assert expected.size() >= 15
def inOrder = { String line, List words ->
    int at = 0
    words.every { w -> int i = line.indexOf(w, at); if (i < 0) { return false }; at = i + w.length(); true }
}
def missing = expected.findAll { e -> !lines.any { inOrder(it, e.drop(1)) } }
assert missing.isEmpty() : "messages not found in build.log: ${missing}"
// the loopback registry on a kind cluster without kind's mirror: the refusal says how to set it up, and what else
def refusal = log.readLines().find { it.contains('127.0.0.1:2') && it.contains('loopback') }
assert refusal != null && refusal.contains('https://kind.sigs.k8s.io/docs/user/local-registry/')
        && refusal.contains('<load><mode>kind</mode>') && refusal.contains('/etc/containerd/certs.d/127.0.0.1:2/hosts.toml') : refusal
def errors = log.readLines().findAll { it.startsWith('[ERROR] Failed to execute goal') }
assert errors.size() == expected.size() : "expected ${expected.size()} failed invocations, saw ${errors.size()}"
errors.each { line ->
    assert line.contains(': <') || line.contains(': deploy: ') || line.contains(': load: ')
            || line.contains(": build of image 'app' failed: Dockerfile ")
            || line.contains('Unable to parse configuration of mojo') : // Maven's own, before any goal starts
            "not a one-line message naming a parameter: ${line}"
}
// each mistake is found in the goal failing-goal.txt names: the first of the invocation (tag) when it can be seen
// there, so nothing was built for it
def goals = new File(basedir, 'failing-goal.txt').readLines().findAll { it && !it.startsWith('#') }
        .collect { it.split('\t') as List }
def wrongGoal = goals.findAll { g ->
    def words = expected.find { it[0] == g[0] }.drop(1)
    def line = errors.find { inOrder(it, words) }
    line == null || !line.contains(':' + g[1] + ' (')
}
assert wrongGoal.isEmpty() : "failed in another goal than expected: ${wrongGoal}"
// an engine that is not there is probed once and said once; images never built are no leftovers to warn about
assert lines.count { it.contains('No container engine') } == 1 : lines.findAll { it.contains('No container engine') }
assert !log.contains('teardown failed') && !log.contains('Error during callback')
assert !log.contains('\tat io.github.e2ekit') : 'a stack trace reached the default log level'
assert !log.contains('Exception: ') || !log.contains('[ERROR] Failed to execute goal') || !(log =~ /\[ERROR\] Failed to execute goal.*Exception:/).find() : 'an exception class name in an error line'
// nothing left: no image of this IT, no node copy, no namespace of this service in the ledger alive
def images = ['docker', 'images', '-q', 'localhost/it/bad'].execute().text.trim()
def ledger = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
assert ledger.objects.every { it.state != 'CREATED' } : "objects left: ${ledger.objects}"
assert ledger.nodeImages.every { it.state != 'CREATED' }
assert ledger.pushes.every { it.state == 'REMOVED' } : "push tags left: ${ledger.pushes}"
// the last invocation's report names the goal that failed and its one line
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
assert report.failure?.goal == 'build' && report.failure.message.contains('e2e-it-no-such-base:1') : report.failure
assert report.goals*.goal == ['tag', 'build'] && report.goals*.outcome == ['success', 'failure'] : report.goals
def pushTags = ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}'].execute().text.readLines()
        .findAll { it.startsWith('127.0.0.1:1/') }
assert pushTags.isEmpty() : "the failed push left its local tag: ${pushTags}"
['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/it/bad'].execute().text.readLines().each {
    // kept as newest by design (allButNewest); remove so the IT leaves nothing
    ['docker', 'rmi', it].execute().waitFor()
}
return true
