// For the verify.groovy scripts that interrupt a nested build of their IT against the IT test bed. A script loads it
// with (basedir is target/it/<name>, three levels below this repository's root):
//   def interrupting = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Interrupting.groovy'))

/** The IT test bed's properties (kubeconfig, cluster), as the build that started it wrote them. */
def testbed(File basedir) {
    def testbed = new Properties()
    new File(basedir, '../../it-testbed/testbed.properties').withInputStream { testbed.load(it) }
    return testbed
}

/** {@code mvn -B} with this IT's local repository and the test bed's kubeconfig and cluster name. */
def mavenCommand(String localRepositoryPath, Properties testbed) {
    def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
    return [mvn, '-B', "-Dmaven.repo.local=${localRepositoryPath}", "-De2e.kubeconfig=${testbed.kubeconfig}",
            "-De2e.cluster.name=${testbed.cluster}"]
}

/**
 * Starts {@code command verify} in basedir, its output in {@code <name>.log}, and waits (up to 120 s) until deploy
 * applied its stage, then half a second more; returns [the process, the log file].
 */
def startUntilDeployed(File basedir, List command, String name) {
    def out = new File(basedir, "${name}.log")
    def p = new ProcessBuilder((command + ['verify']).collect { it.toString() }).directory(basedir)
            .redirectErrorStream(true).redirectOutput(out).start()
    def deadline = System.currentTimeMillis() + 120_000
    while (!(out.exists() && out.text.contains('e2e: stage 1/1: applied')) && System.currentTimeMillis() < deadline) {
        assert p.isAlive() : "${name}: the build ended before deploy: ${out.text.readLines().takeRight(20).join('\n')}"
        Thread.sleep(200)
    }
    assert out.text.contains('e2e: stage 1/1: applied') : "${name}: deploy never started"
    Thread.sleep(500)
    return [p, out]
}
