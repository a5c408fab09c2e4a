import groovy.json.JsonSlurper
import java.util.concurrent.TimeUnit
// Process faults, one real `mvn verify` per case, each held at a point inside a goal before it is signalled (no
// sleep-and-hope): SIGINT during build; kill -9 during build; SIGTERM and kill -9 during tag (a `git` on PATH that
// waits: the tag template asks for {git}); two builds of this module at once (the first is the run after the kills);
// SIGTERM during the ITs; SIGINT (to the process group, as Ctrl-C) and kill -9 during load (the node's `ctr images
// import` waits); SIGINT (group) during teardown, the run after the load kill (the pod's process is stopped, so the
// namespace waits out its grace period); kill -9 during teardown; kill -9 during the ITs; reap; a run that must be
// green. After each: nothing left behind (engine and node images, namespace, the port-forward, the build's container
// and process, temp files, the cluster-user file) and a ledger that tells the truth. (SIGTERM and kill -9 during
// deploy: IT interrupted.) The JVM treats SIGINT and SIGTERM alike (JDK java.lang.Terminator: one handler,
// Shutdown.exit); Ctrl-C differs in reaching the build's child processes too.
def testbed = new Properties()
new File(basedir, '../../it-testbed/testbed.properties').withInputStream { testbed.load(it) }
def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
def common = [mvn, '-B', '-s', new File(basedir, '../interpolated-settings.xml').path,
              "-Dmaven.repo.local=${localRepositoryPath}", "-De2e.kubeconfig=${testbed.kubeconfig}",
              "-De2e.cluster.name=${testbed.cluster}"]
def work = new File(basedir, 'target/e2e')
def users = new File(System.getProperty('user.home'), ".cache/e2e-maven-plugin/locks/${testbed.cluster}.users")

/** Starts `mvn verify`; {@code own}: in its own session (setsid), so it can be signalled as a process group. */
def start = { String name, List extra, Map env = [:], boolean own = false ->
    def out = new File(basedir, "${name}.log")
    def pb = new ProcessBuilder(((own ? ['setsid'] : []) + common + extra + ['verify']).collect { it.toString() })
            .directory(basedir).redirectErrorStream(true).redirectOutput(out)
    pb.environment().putAll(env)
    [pb.start(), out]
}
def tail = { File out -> out.exists() ? out.text.readLines().takeRight(30).join('\n') : '(no output)' }
def await = { String what, Process p, File out, long seconds, Closure<Boolean> ready ->
    def deadline = System.currentTimeMillis() + seconds * 1000
    while (!ready()) {
        assert p.isAlive() : "${out.name}: the build ended before ${what}:\n${tail(out)}"
        assert System.currentTimeMillis() < deadline : "${out.name}: no ${what} within ${seconds} s:\n${tail(out)}"
        Thread.sleep(200)
    }
}
def sh = { List cmd -> def p = cmd.collect { it.toString() }.execute(); def t = p.text; p.waitFor(); [p.exitValue(), t] }
def eventually = { long seconds, Closure<Boolean> gone ->
    def deadline = System.currentTimeMillis() + seconds * 1000
    while (!gone() && System.currentTimeMillis() < deadline) { Thread.sleep(250) }
    gone()
}
def sleeping = { int secs -> sh(['ps', '-eo', 'args'])[1].readLines().any { it.trim() == "/bin/busybox sleep ${secs}" } }
def buildContainers = { int secs ->
    def ids = sh(['docker', 'ps', '-aq', '--no-trunc'])[1].readLines().findAll { it }
    ids ? sh(['docker', 'inspect', '--format', '{{.Id}} {{json .Config.Env}}'] + ids)[1].readLines()
            .findAll { it.contains("\"SLOW=${secs}\"") } : []
}
def nodeRefs = { sh(['docker', 'exec', "${testbed.cluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q'])[1] }
def namespaceExists = { String ns ->
    sh(['/usr/bin/kubectl', '--kubeconfig', testbed.kubeconfig, 'get', 'namespace', ns, '-o', 'name'])[0] == 0
}
def ledger = { File f = new File(work, 'ledger.json') -> new JsonSlurper().parse(f) }
def live = { l -> (l.images + l.nodeImages + l.objects + l.portForwards + (l.cluster ? [l.cluster] : []))
        .findAll { it.state in ['INTENDED', 'CREATED'] } }
def endpointPort = { ->
    def p = new Properties()
    new File(work, 'endpoints.properties').withInputStream { p.load(it) }
    p.getProperty('e2e.endpoint.app.port') as int
}
def listening = { int port -> try { new Socket('127.0.0.1', port).close(); true } catch (IOException e) { false } }
def node = "${testbed.cluster}-control-plane"
def inNode = { String script -> sh(['docker', 'exec', node, 'sh', '-c', script]) }
/** Ctrl-C: SIGINT to the build's process group (it runs in its own session: start(..., true)). */
def ctrlC = { Process p -> assert sh(['kill', '-INT', '--', "-${p.pid()}"])[0] == 0 }
def ended = { String what, Process p, File out, long seconds = 90 ->
    assert p.waitFor(seconds, TimeUnit.SECONDS) : "${out.name}: the build did not stop on ${what} within ${seconds} s:\n${tail(out)}"
    assert p.exitValue() != 0 : "${out.name}: the build ended green after ${what}:\n${tail(out)}"
}
/** report.json after an interrupt: this run's, saying where it was interrupted, with the states the exit left. */
def reportsInterrupt = { String name, String run, String goal, boolean during ->
    def r = new JsonSlurper().parse(new File(work, 'report.json'))
    assert r.run == run : "${name}: report.json is run ${r.run}'s, not ${run}'s"
    assert r.failure?.goal == goal && r.failure.message.contains('interrupted') : "${name}: report.json failure ${r.failure}"
    assert (r.goals.find { it.outcome == 'interrupted' }?.goal == (during ? goal : null)) : "${name}: report.json goals ${r.goals}"
    assert !(r.images*.state + r.objects*.state + (r.namespace ? [r.namespace.state] : [])).any { it in ['INTENDED', 'CREATED'] } :
            "${name}: report.json says ${r.images*.state} ${r.objects*.state}"
}
def imageGone = { String ref -> eventually(10) { sh(['docker', 'image', 'inspect', ref])[0] != 0 } && !nodeRefs().contains(ref) }

/** Nothing of the run in {@code l} is left, and its ledger says so. */
def nothingLeft = { String name, l ->
    assert live(l).isEmpty() : "${name}: the ledger still holds ${live(l)}"
    l.images.each { i ->
        assert eventually(10) { sh(['docker', 'image', 'inspect', i.reference])[0] != 0 } : "${name}: image ${i.reference} left in the engine"
        assert !nodeRefs().contains(i.reference) : "${name}: image ${i.reference} left in the node"
    }
    assert !namespaceExists("e2e-procfaults-${l.run}") || eventually(70) { !namespaceExists("e2e-procfaults-${l.run}") } :
            "${name}: namespace e2e-procfaults-${l.run} left"
    assert !new File(users, l.run as String).exists() : "${name}: run ${l.run} still registered as a user of the cluster"
    def temp = []
    work.eachFileRecurse { if (it.name.endsWith('.tmp')) temp << it }
    assert temp.isEmpty() : "${name}: temp files left: ${temp}"
}

// this IT's own images left by an earlier attempt would be up to date (not built, so never removed, by a run)
sh(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/it/process-faults'])[1].readLines()
        .findAll { it }.each { sh(['docker', 'rmi', it]) }

// 1. SIGINT (Ctrl-C) during build: the engine's build is cancelled, its container and process go
def (intBuild, intLog) = start('sigint-build', ['-Dit.slow=87'])
await('the build running', intBuild, intLog, 180) { sleeping(87) }
sh(['kill', '-INT', intBuild.pid()])
assert intBuild.waitFor(60, TimeUnit.SECONDS) : 'the build did not stop on SIGINT'
assert eventually(15) { !sleeping(87) && buildContainers(87).isEmpty() } :
        "SIGINT: the build's container is left: ${buildContainers(87)}"
nothingLeft('SIGINT during build', ledger())

// 2. kill -9 during build: nothing can run in the plugin, but the engine cancels the build when its client is gone
def (killBuild, killBuildLog) = start('sigkill-build', ['-Dit.slow=89'])
await('the build running', killBuild, killBuildLog, 180) { sleeping(89) }
def killedInBuild = ledger()
killBuild.destroyForcibly()
killBuild.waitFor()
assert eventually(15) { !sleeping(89) && buildContainers(89).isEmpty() } :
        "kill -9: the build's container is left: ${buildContainers(89)}"

// Tag is held in its git call: a `git` first on PATH waits while git.hold exists (the template asks for {git}). The
// run has started then (ledger, exit-time teardown) and recorded nothing yet.
def holdDir = new File(basedir, 'target/hold')
def gitHold = new File(holdDir, 'git.hold')
def gitHeld = new File(holdDir, 'git.held')
new File(holdDir, 'bin').mkdirs()
new File(holdDir, 'bin/git').with {
    text = """#!/bin/sh
: > '${gitHeld}'
while [ -e '${gitHold}' ]; do sleep 0.1; done
exec /usr/bin/git "\$@"
"""
    setExecutable(true)
}
def heldInTag = ['-De2e.tagTemplate={service}-{digest}-{git}']
def gitFirst = [PATH: "${holdDir}/bin:${System.getenv('PATH')}".toString()]
def startHeldInTag = { String name ->
    gitHold.text = ''
    gitHeld.delete()
    def (p, out) = start(name, heldInTag, gitFirst)
    await('tag at its git call', p, out, 120) { gitHeld.exists() }
    [p, out]
}

// 2a. SIGTERM during tag: the build ends, and its run leaves nothing (not even a ledger to keep)
def (termTag, termTagLog) = startHeldInTag('sigterm-tag')
def termTagRun = ledger().run
assert termTagRun != killedInBuild.run : 'the held tag did not start a run'
sh(['kill', '-TERM', termTag.pid()])
ended('SIGTERM during tag', termTag, termTagLog, 20) // nothing to remove: no wait for the held tag
gitHold.delete()
assert ledger().run == termTagRun
nothingLeft('SIGTERM during tag', ledger())
reportsInterrupt('SIGTERM during tag', termTagRun, 'tag', true)

// 2b. kill -9 during tag: nothing can run; the next run (3) starts over it
def (killTag, killTagLog) = startHeldInTag('sigkill-tag')
def killedInTag = ledger()
killTag.destroyForcibly()
killTag.waitFor()
gitHold.delete()
assert killedInTag.run != termTagRun && live(killedInTag).isEmpty() : "tag recorded before its git call: ${killedInTag}"

// 3. two builds of this module at once: the second fails at once with one line and touches nothing; the first (also
// the run after the kill -9) is green and leaves nothing, its ledger and report its own
def (first, firstLog) = start('twin-first', ['-Dit.itSleep=8'])
await('its tags', first, firstLog, 120) { firstLog.text.contains('(sources sha256:') }
def firstRun = ledger().run
def (second, secondLog) = start('twin-second', [])
assert second.waitFor(120, TimeUnit.SECONDS) : 'the second build did not end'
assert second.exitValue() != 0 : "the second build ran beside the first:\n${tail(secondLog)}"
def refusal = secondLog.text.readLines().findAll { it.contains('another build is running e2e goals in') }
assert refusal.size() == 1 && refusal[0].contains(work.canonicalPath) : "no one-line refusal:\n${tail(secondLog)}"
assert !secondLog.text.contains('\tat ') : "the refusal came with a stack trace:\n${tail(secondLog)}"
assert first.isAlive() : "the first build ended while the second was refused:\n${tail(firstLog)}"
assert first.waitFor(240, TimeUnit.SECONDS) && first.exitValue() == 0 : "the first build failed:\n${tail(firstLog)}"
def twin = ledger()
assert twin.run == firstRun : "the ledger is not the first build's: ${twin.run} != ${firstRun}"
nothingLeft('two builds at once', twin)
def report = new JsonSlurper().parse(new File(work, 'report.json'))
assert report.run == firstRun && report.failure == null : "report.json: run ${report.run}, failure ${report.failure}"
assert report.goals*.outcome.every { it == 'success' } : "report.json goals: ${report.goals}"
assert !new File(work, "ledger-${killedInBuild.run}.json").exists() : 'the killed run\'s ledger is still kept'
killedInBuild.images.each { assert sh(['docker', 'image', 'inspect', it.reference])[0] != 0 }
[termTagRun, killedInTag.run].each { assert !new File(work, "ledger-${it}.json").exists() : "a ledger of run ${it} (interrupted in tag) is kept" }

// 4. SIGTERM during the ITs (port-forward open, pod logs followed): the exit teardown removes everything
def (term, termLog) = start('sigterm-its', ['-Dit.itSleep=120'])
await('the ITs', term, termLog, 240) { termLog.text.contains('exec (its)') }
int termPort = endpointPort()
assert listening(termPort) : "the endpoint 127.0.0.1:${termPort} is not open during the ITs"
term.destroy()
assert term.waitFor(90, TimeUnit.SECONDS) : 'the build did not stop on SIGTERM'
def termed = ledger()
assert termLog.text.contains("build interrupted: removing what run ${termed.run} created") : "no teardown on SIGTERM:\n${tail(termLog)}"
assert !listening(termPort) : "SIGTERM: the port-forward on ${termPort} is still open"
nothingLeft('SIGTERM during the ITs', termed)
reportsInterrupt('SIGTERM during the ITs', termed.run, 'deploy', false)

// Load is held in the node's import: the node's `ctr`, wrapped, waits in 'images import' while
// /run/e2e-it-import.hold exists (the import's node image is recorded as intended then).
inNode('''mkdir -p /usr/local/bin && cat > /usr/local/bin/ctr <<'EOF'
#!/bin/sh
case " $* " in *" import "*)
  if [ -e /run/e2e-it-import.hold ]; then
    : > /run/e2e-it-import.held
    while [ -e /run/e2e-it-import.hold ]; do sleep 0.1; done
  fi;;
esac
exec /usr/bin/ctr "$@"
EOF
chmod +x /usr/local/bin/ctr''')
// each of these runs its own tag (the same sources would give the same tag: a run would reuse what the previous left)
def ownTag = ['-De2e.tagTemplate={service}-{digest:12}-{run}']
def importing = { inNode('ps -o args')[1].readLines().any { it.contains(' import ') } }
def startHeldInLoad = { String name, List extra, boolean own ->
    inNode('rm -f /run/e2e-it-import.held && : > /run/e2e-it-import.hold')
    def (p, out) = start(name, extra, [:], own)
    await('load at its import', p, out, 240) { inNode('test -e /run/e2e-it-import.held')[0] == 0 }
    [p, out]
}
def releaseImport = {
    inNode('rm -f /run/e2e-it-import.hold')
    assert eventually(30) { !importing() } : 'the held import did not end'
}

// 4a. Ctrl-C during load: the import has its whole archive, so it ends in the node even without the plugin (an image
// this small fits the exec's buffers): the exit teardown waits for it, then removes the image and the node image; no
// goal starts after the interrupt
def (intLoad, intLoadLog) = startHeldInLoad('sigint-load', ownTag, true)
def intLoaded = ledger()
assert intLoaded.nodeImages.any { it.state == 'INTENDED' } : "load held before it recorded the import: ${intLoaded.nodeImages}"
ctrlC(intLoad)
await('the exit teardown waiting for the import', intLoad, intLoadLog, 30) {
    intLoadLog.text.contains('waiting for the node import under way to end before removing')
}
releaseImport()
ended('Ctrl-C during load', intLoad, intLoadLog)
assert !(intLoadLog.text =~ /e2e:\S+:deploy /) || intLoadLog.text.contains('e2e:deploy does not start') :
        "Ctrl-C during load: deploy ran after the interrupt:\n${tail(intLoadLog)}"
nothingLeft('Ctrl-C during load', ledger())
reportsInterrupt('Ctrl-C during load', intLoaded.run, 'load', true)

// 4b. kill -9 during load: the built image stays (nothing can run) for the next run (4c) to remove
def (killLoad, killLoadLog) = startHeldInLoad('sigkill-load', ownTag, false)
def killedInLoad = ledger()
killLoad.destroyForcibly()
killLoad.waitFor()
releaseImport()
inNode('rm -f /usr/local/bin/ctr /run/e2e-it-import.held')
def killedLoadImage = killedInLoad.images[0].reference
assert sh(['docker', 'image', 'inspect', killedLoadImage])[0] == 0 : 'kill -9 during load should leave the built image'

// Teardown is held on the app's pod: its process stopped (SIGSTOP), it cannot end before its grace period (10 s in
// the test bed), so teardown waits on it. The ITs wait while its.hold exists, for the pod to be stopped first.
def itsHold = new File(basedir, 'target/its.hold')
def podTerminating = { String ns ->
    sh(['/usr/bin/kubectl', '--kubeconfig', testbed.kubeconfig, 'get', 'pods', '-n', ns, '-o',
        'jsonpath={.items[*].metadata.deletionTimestamp}'])[1].trim()
}
def startHeldInTeardown = { String name, List extra, boolean own ->
    itsHold.text = ''
    def (p, out) = start(name, extra, [:], own)
    await('the ITs', p, out, 240) { out.text.contains('exec (its)') }
    def l = ledger()
    def ns = "e2e-procfaults-${l.run}"
    def (rc, said) = inNode("kill -STOP \$(cat /run/e2e-pods/${ns}_app-*_app/pid)")
    assert rc == 0 : "cannot stop the app's process in ${ns}: ${said}"
    itsHold.delete()
    await('teardown deleting the pod', p, out, 120) { podTerminating(ns) }
    [p, out, l]
}

// 4c. Ctrl-C during teardown, in the run after the load kill: its teardown removed the killed run's image first;
// the exit teardown removes the rest once the pod is gone
def (intDown, intDownLog, intDowned) = startHeldInTeardown('sigint-teardown', ownTag, true)
assert imageGone(killedLoadImage) : "the run after kill -9 during load left its image ${killedLoadImage}"
assert !new File(work, "ledger-${killedInLoad.run}.json").exists() : 'the ledger of the run killed in load is kept'
ctrlC(intDown)
ended('Ctrl-C during teardown', intDown, intDownLog)
// the exit-time teardown waits for the goal's removal: neither removes beside the other (a failure said is the sign)
assert !intDownLog.text.contains('could not remove') : "Ctrl-C during teardown: two removals at once:\n${tail(intDownLog)}"
assert ledger().run == intDowned.run
nothingLeft('Ctrl-C during teardown', ledger())
def downReport = new JsonSlurper().parse(new File(work, 'report.json')) // written by the goal or by the exit, last wins
assert downReport.run == intDowned.run && downReport.namespace.state == 'REMOVED' && downReport.images.every { it.state == 'REMOVED' } :
        "Ctrl-C during teardown: report.json says ${downReport.namespace} ${downReport.images}"

// 4d. kill -9 during teardown: the images stay (teardown waited on the pod), the namespace goes on its own; reap (5)
def (killDown, killDownLog, killedInDown) = startHeldInTeardown('sigkill-teardown', ownTag + ['-De2e.ttl=1s'], false)
killDown.destroyForcibly()
killDown.waitFor()
def killedDownImage = killedInDown.images[0].reference
assert sh(['docker', 'image', 'inspect', killedDownImage])[0] == 0 : 'kill -9 during teardown should leave the image'

// 5. kill -9 during the ITs: everything stays; reap (after the TTL) removes it
def (kill, killLog) = start('sigkill-its', ['-Dit.itSleep=120', '-De2e.ttl=1s'])
await('the ITs', kill, killLog, 240) { killLog.text.contains('exec (its)') }
def killed = ledger()
int killPort = endpointPort()
kill.destroyForcibly()
kill.waitFor()
assert !listening(killPort) : "kill -9: the port-forward on ${killPort} outlived its JVM"
def killedImage = killed.images[0].reference
assert nodeRefs().contains(killedImage) && namespaceExists("e2e-procfaults-${killed.run}") : 'kill -9 should leave the run (nothing can run)'
Thread.sleep(1500)
def reap = new ProcessBuilder((common + ['io.github.e2ekit:e2e-maven-plugin:0.1.0-SNAPSHOT:reap']).collect { it.toString() })
        .directory(basedir).redirectErrorStream(true).start()
def reapLog = reap.text
assert reap.waitFor(180, TimeUnit.SECONDS) && reap.exitValue() == 0 : "reap failed:\n${reapLog}"
assert eventually(70) { !namespaceExists("e2e-procfaults-${killed.run}") } : "reap left namespace e2e-procfaults-${killed.run}:\n${reapLog}"
assert !nodeRefs().contains(killedImage) : "reap left the node image ${killedImage}:\n${reapLog}"
assert sh(['docker', 'image', 'inspect', killedImage])[0] != 0 : "reap left the image ${killedImage}:\n${reapLog}"
assert imageGone(killedDownImage) : "reap left the image ${killedDownImage} of the run killed in teardown:\n${reapLog}"
assert eventually(70) { !namespaceExists("e2e-procfaults-${killedInDown.run}") } : "namespace of the run killed in teardown left"

// 6. the next run is green, and its teardown settles the killed run's ledger (what reap removed is gone)
def (next, nextLog) = start('after-kill', [])
assert next.waitFor(240, TimeUnit.SECONDS) && next.exitValue() == 0 : "the run after kill -9 and reap failed:\n${tail(nextLog)}"
nothingLeft('the run after kill -9 and reap', ledger())
[killed, killedInDown].each { k ->
    def kept = new File(work, "ledger-${k.run}.json")
    assert !kept.exists() || live(ledger(kept)).isEmpty() : "the ledger of killed run ${k.run} still lists ${live(ledger(kept))}"
}
assert !new File(users, killed.run as String).exists() : "the killed run ${killed.run} is still a user of the cluster"
return true
