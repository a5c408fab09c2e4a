import groovy.json.JsonSlurper
import java.util.concurrent.TimeUnit
// Process faults, one real `mvn verify` per case: SIGINT during build, kill -9 during build then two builds of this
// module at once (the first of them is the run after the kill), SIGTERM during the ITs, kill -9 during the ITs
// then reap, then a run that must be green. After each: nothing left behind (engine and node images, namespace,
// the port-forward, the build's container and process, temp files, the cluster-user file) and a ledger that
// tells the truth. (SIGTERM and kill -9 during deploy: IT interrupted.)
def testbed = new Properties()
new File(basedir, '../../it-testbed/testbed.properties').withInputStream { testbed.load(it) }
def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
def common = [mvn, '-B', '-s', new File(basedir, '../interpolated-settings.xml').path,
              "-Dmaven.repo.local=${localRepositoryPath}", "-De2e.kubeconfig=${testbed.kubeconfig}",
              "-De2e.cluster.name=${testbed.cluster}"]
def work = new File(basedir, 'target/e2e')
def users = new File(System.getProperty('user.home'), ".cache/e2e-maven-plugin/locks/${testbed.cluster}.users")

def start = { String name, List extra ->
    def out = new File(basedir, "${name}.log")
    def p = new ProcessBuilder((common + extra + ['verify']).collect { it.toString() }).directory(basedir)
            .redirectErrorStream(true).redirectOutput(out).start()
    [p, out]
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

// 6. the next run is green, and its teardown settles the killed run's ledger (what reap removed is gone)
def (next, nextLog) = start('after-kill', [])
assert next.waitFor(240, TimeUnit.SECONDS) && next.exitValue() == 0 : "the run after kill -9 and reap failed:\n${tail(nextLog)}"
nothingLeft('the run after kill -9 and reap', ledger())
def kept = new File(work, "ledger-${killed.run}.json")
assert !kept.exists() || live(ledger(kept)).isEmpty() : "the killed run's ledger still lists ${live(ledger(kept))}"
assert !new File(users, killed.run as String).exists() : "the killed run ${killed.run} is still a user of the cluster"
return true
