import groovy.json.JsonSlurper

def host = new File(basedir, 'target/registry/host').text
def pid = new File(basedir, 'target/registry/pid').text as long
try {
    def log = new File(basedir, 'build.log').text
    // invocation 1 runs with -X: debug logging on everywhere, the HTTP library's request headers included
    assert log.contains('[DEBUG]') : 'the first invocation should run with -X (see invoker.properties)'
    assert !log.contains('it-registry-Secret-42') : 'the registry password reached the build log'
    assert !log.contains('X-Registry-Auth') : 'the push request\'s credential header (base64 of the password) reached the build log'
    def encoded = java.util.Base64.encoder.encodeToString('"password":"it-registry-Secret-42"'.bytes)
    assert !log.contains(encoded.substring(4, 24)) : 'base64 of the password reached the build log'
    def ledgerText = new File(basedir, 'target/e2e/ledger.json').text
    assert !ledgerText.contains('it-registry-Secret-42') : 'the registry password reached the ledger'
    def reportText = new File(basedir, 'target/e2e/report.json').text
    assert !reportText.contains('it-registry-Secret-42') : 'the registry password reached the report'
    def report = new JsonSlurper().parseText(reportText)
    def image = report.images.find { it.id == 'datastorage' }
    assert image != null : 'the report has no datastorage image'
    def tag = image.reference.substring(image.reference.lastIndexOf(':') + 1)
    def push = image.registry
    assert push != null : "no push in the report: ${report.images}"
    assert push.reference == "${host}/e2e/it/registry-app:${tag}".toString() : "pushed as ${push.reference}"
    assert push.digest ==~ /sha256:[0-9a-f]{64}/
    assert push.pinned == "${push.reference}@${push.digest}".toString()
    def ledger = new JsonSlurper().parseText(ledgerText)
    assert ledger.pushes.size() == 1 && ledger.pushes[0].imageId == image.imageId : 'the pushed image is the one this run built'
    // what a person reads: which credentials were used (never the password)
    assert log.contains("'it-user'") && log.contains("settings.xml server 'it-registry'") : 'the log should say which credentials were used'
    assert image.nodes.isEmpty() && report.cluster == null : 'registry mode touches no kind cluster'

    // the registry serves exactly that manifest under the tag
    def p = ['curl', '-s', '-o', '/dev/null', '-D', '-', '-u', 'it-user:it-registry-Secret-42',
             '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json',
             "http://${host}/v2/e2e/it/registry-app/manifests/${tag}".toString()].execute()
    def headers = p.text
    p.waitFor()
    def served = headers.readLines().find { it.toLowerCase().startsWith('docker-content-digest:') }
    assert served != null : "the registry does not serve the pushed tag: ${headers}"
    assert served.split(':', 2)[1].trim() == push.digest : "registry serves ${served}, the run pinned ${push.digest}"

    // deploy: the manifest names the pinned reference, the kubelet pulled it, the pod runs this run's image
    def pinned = push.pinned
    assert report.objects.find { it.kind == 'Deployment' && it.name == 'registry-app' } != null : "the Deployment is not in the report: ${report.objects}"
    def proofs = report.proofs.findAll { it.image == 'datastorage' }
    assert proofs.size() == 1 && proofs[0].verdict == 'fresh' && proofs[0].reference == pinned : "deploy should prove the pod runs the pushed image: ${proofs}"
    // load said the kind nodes pull through the mirror
    assert log.contains("through /etc/containerd/certs.d/${host}/hosts.toml") : 'load should say the kind nodes pull through the mirror'
    // the node pulled it through kind's mirror, as containerd's CRI names a pull by digest: <repo>@<digest>
    def nodeRefs = ['docker', 'exec', "${itCluster}-control-plane".toString(), 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q']
            .execute().text.readLines()
    def repoDigest = "${push.reference.substring(0, push.reference.lastIndexOf(':'))}@${push.digest}".toString()
    assert nodeRefs.contains(repoDigest) : "the node does not hold ${repoDigest}: ${nodeRefs}"

    // after the teardown: the local push tag is gone, the registry copy is said to stay
    assert push.state == 'REMOVED'
    assert report.goals*.goal == ['tag', 'build', 'load', 'deploy', 'teardown'] && report.failure == null : report.goals
    assert log.contains("registry's retention removes it") : 'the teardown should say the registry copy stays'
    def gone = ['docker', 'image', 'inspect', push.reference].execute()
    gone.waitForProcessOutput(new StringBuilder(), new StringBuilder())
    assert gone.exitValue() != 0 : "local push tag ${push.reference} was not removed"
} finally {
    ProcessHandle.of(pid).ifPresent { it.destroy() }
    io.github.e2ekit.e2e.testbed.ItPrebuild.tearDownKindLocalRegistry(basedir, host)
    // and the images the node pulled from this IT's registry (the test bed serves other ITs afterwards)
    def node = "${itCluster}-control-plane".toString()
    ['docker', 'exec', node, 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q'].execute().text.readLines()
            .findAll { it.startsWith(host + '/') }
            .each { ['docker', 'exec', node, 'ctr', '-n', 'k8s.io', 'images', 'rm', it].execute().waitFor() }
    new File(basedir, '.mvn/maven.config').delete()
}
return true
