import groovy.json.JsonSlurper
// Interrupting a build during deploy: SIGTERM → the shutdown hook removes what the run created;
// kill -9 → nothing can run, so 'reap' removes the plugin-labelled leftovers after the TTL.
def interrupting = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Interrupting.groovy'))
def testbed = interrupting.testbed(basedir)
def common = interrupting.mavenCommand(localRepositoryPath.toString(), testbed)
def startAndWaitForDeploy = { String name, List<String> extra -> interrupting.startUntilDeployed(basedir, common + extra, name) }
def sh = { List cmd -> def p = cmd.collect { it.toString() }.execute(); def t = p.text; p.waitFor(); [p.exitValue(), t] }
def nodeRefs = { sh(['docker', 'exec', "${testbed.cluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q'])[1] }

// 1. SIGTERM
def (term, termLog) = startAndWaitForDeploy('sigterm', [])
term.destroy() // SIGTERM
assert term.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) : 'the build did not stop on SIGTERM'
def text = termLog.text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
assert text.contains("[e2e] build interrupted: removing what run ${ledger.run} created") : "no teardown on SIGTERM:\n${text.readLines().takeRight(30).join('\n')}"
assert text.contains("[e2e] removed Namespace/e2e-interrupted-${ledger.run}") : 'namespace not removed on SIGTERM'
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left after SIGTERM: ${ledger.objects}"
assert ledger.nodeImages.every { it.state == 'REMOVED' }
def image = ledger.images.find { it.id == 'datastorage' }
assert !nodeRefs().contains(image.reference) : 'node image left after SIGTERM'
assert sh(['docker', 'image', 'inspect', image.reference])[0] != 0 : 'local image left after SIGTERM'

// 2. kill -9, then reap after the TTL (1 s)
def (kill, killLog) = startAndWaitForDeploy('sigkill', ['-De2e.ttl=1s', '-De2e.force=true'])
def killed = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
kill.destroyForcibly() // SIGKILL: no hook runs
kill.waitFor()
def leftImage = killed.images.find { it.id == 'datastorage' }.reference
assert nodeRefs().contains(leftImage) : 'kill -9 should have left the node image (nothing can run)'
Thread.sleep(1500)
def reap = new ProcessBuilder((common + ['io.github.e2ekit:e2e-maven-plugin:0.1.0-SNAPSHOT:reap']).collect { it.toString() })
        .directory(basedir)
        .redirectErrorStream(true).start()
def reapLog = reap.text
reap.waitFor()
assert reap.exitValue() == 0 : "reap failed:\n${reapLog}"
assert reapLog.contains("e2e: reap: removed namespace e2e-interrupted-${killed.run}") : "reap did not remove the namespace:\n${reapLog}"
assert reapLog.contains("e2e: reap: removed node image ${leftImage}") : 'reap did not remove the node image'
assert reapLog.contains("e2e: reap: removed image ${leftImage}") : 'reap did not remove the local image'
assert !nodeRefs().contains(leftImage)
assert sh(['docker', 'image', 'inspect', leftImage])[0] != 0
return true
