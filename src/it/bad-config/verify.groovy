// Every wrong configuration failed with its one-line message naming the parameter, no stack trace,
// and nothing was left behind.
def log = new File(basedir, 'build.log').text
def expected = new File(basedir, 'expected.txt').readLines().collect { it.split('\t', 2) }
assert expected.size() >= 15
def missing = expected.findAll { !log.contains(it[1]) }
assert missing.isEmpty() : "messages not found in build.log: ${missing}"
// the loopback registry on a kind cluster without kind's mirror: the refusal says how to set it up, and what else
def refusal = log.readLines().find { it.contains('127.0.0.1:2 is the host\'s loopback') }
assert refusal != null && refusal.contains('https://kind.sigs.k8s.io/docs/user/local-registry/')
        && refusal.contains('<load><mode>kind</mode>') && refusal.contains('/etc/containerd/certs.d/127.0.0.1:2/hosts.toml') : refusal
def errors = log.readLines().findAll { it.startsWith('[ERROR] Failed to execute goal') }
assert errors.size() == expected.size() : "expected ${expected.size()} failed invocations, saw ${errors.size()}"
errors.each { line ->
    assert line.contains(': <') || line.contains(': deploy: ') || line.contains(': load: ') :
            "not a one-line message naming a parameter: ${line}"
}
assert !log.contains('\tat io.github.e2ekit') : 'a stack trace reached the default log level'
assert !log.contains('Exception: ') || !log.contains('[ERROR] Failed to execute goal') || !(log =~ /\[ERROR\] Failed to execute goal.*Exception:/).find() : 'an exception class name in an error line'
// nothing left: no image of this IT, no node copy, no namespace of this service in the ledger alive
def images = ['docker', 'images', '-q', 'localhost/it/bad'].execute().text.trim()
def ledger = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
assert ledger.objects.every { it.state != 'CREATED' } : "objects left: ${ledger.objects}"
assert ledger.nodeImages.every { it.state != 'CREATED' }
assert ledger.pushes.every { it.state == 'REMOVED' } : "push tags left: ${ledger.pushes}"
def pushTags = ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}'].execute().text.readLines()
        .findAll { it.startsWith('127.0.0.1:1/') }
assert pushTags.isEmpty() : "the failed push left its local tag: ${pushTags}"
['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/it/bad'].execute().text.readLines().each {
    // kept as newest by design (allButNewest); remove so the IT leaves nothing
    ['docker', 'rmi', it].execute().waitFor()
}
return true
