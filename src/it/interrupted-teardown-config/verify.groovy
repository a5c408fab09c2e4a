import groovy.json.JsonSlurper
// An interrupted run's teardown is the teardown goal's, with the run's configuration: <kindExecutable> is the
// script that was configured (not 'kind'), and <cluster><delete>never</delete> leaves the cluster the run created.
def interrupting = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Interrupting.groovy'))
def testbed = interrupting.testbed(basedir)
def common = interrupting.mavenCommand(localRepositoryPath.toString(), testbed)
def calls = new File(basedir, 'kind-calls.txt')
def callLines = { calls.exists() ? calls.readLines() : [] }

def interrupt = { String name, List<String> extra ->
    def (p, out) = interrupting.startUntilDeployed(basedir, common + extra, name)
    def before = callLines()
    p.destroy() // SIGTERM
    assert p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) : "${name}: the build did not stop on SIGTERM"
    def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
    def text = out.text
    assert text.contains("[e2e] build interrupted: removing what run ${ledger.run} created") : "${name}: no teardown:\n${text.readLines().takeRight(30).join('\n')}"
    assert text.contains("[e2e] removed Namespace/e2e-interrupted-config-${ledger.run}") : "${name}: namespace not removed"
    assert ledger.objects.every { it.state == 'REMOVED' } : "${name}: objects left: ${ledger.objects}"
    assert !text.contains('could not remove cluster') : "${name}: the teardown tried another kind:\n${text.readLines().findAll { it.contains('cluster') }.join('\n')}"
    [before, callLines(), ledger, text]
}

// 1. <delete>never</delete>: load recreated the cluster through the script (so the run is its creator), and the
// interrupt teardown leaves it: no call after the interrupt, the cluster recorded as reused
def (before, after, ledger) = interrupt('never', [])
assert before.any { it.startsWith("delete cluster --name ${testbed.cluster} ") } && before.any { it.startsWith("create cluster --name ${testbed.cluster} ") } :
        "load did not run the configured <kindExecutable>: ${before}"
assert after == before : "the interrupt teardown ran kind although <delete>never</delete>: ${after.drop(before.size())}"
assert ledger.cluster.state == 'REUSED' : "cluster ${ledger.cluster}"

// 2. <delete>ifCreated</delete> (the default): the interrupt teardown deletes the cluster the run created, through the
// configured <kindExecutable> (the script: the test bed's cluster stays)
def (before2, after2, ledger2, text2) = interrupt('if-created', ['-Pdelete-if-created'])
def added = after2.drop(before2.size())
if (text2.contains("kept cluster ${testbed.cluster} (still used by")) {
    // another build uses the test bed's cluster now: the last to leave would delete it; take that mark back
    new File(System.getProperty('user.home'), ".cache/e2e-maven-plugin/locks/${testbed.cluster}.users/.delete-when-unused").delete()
    assert false : "another build used cluster ${testbed.cluster} during this IT; run it alone"
}
assert added == ["delete cluster --name ${testbed.cluster} --kubeconfig ${testbed.kubeconfig}".toString()] :
        "the interrupt teardown did not delete the cluster through <kindExecutable>: ${added}"
assert ledger2.cluster.state == 'REMOVED'
assert text2.contains("[e2e] removed cluster ${testbed.cluster}")
return true
