import groovy.json.JsonSlurper
// Run 1 deployed v1 into the fixed namespace and kept it; run 2 re-deployed changed sources (v2) into it. The
// new pod starts slowly while the old one stays ready: run 2 must wait for the new pod (kubectl rollout status's
// verdict), prove freshness on it, and the IT must be served by it.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
def refs = (log =~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/).collect { it }.unique()
try {
    assert refs.size() == 2 : "two runs, two images (v1 and v2): ${refs}"
    assert log.contains('e2e: namespace e2e-it-redeploy exists') : 'run 2 deployed into the namespace run 1 left'
    def proof = "e2e: datastorage: sources sha256:${image.digest.substring(0, 12)}… → image sha256:${image.imageId.substring(7, 19)}… → 1/1 nodes → 1/1 pods ✔"
    assert log.contains(proof) : "missing the freshness proof line of run 2: ${proof}"
    // the IT read /version through the endpoint: the digest of run 2's sources, so the new pod served it
    assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'the failsafe IT did not run or failed'
} finally {
    def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
    ['kubectl', '--kubeconfig', kubeconfig, 'delete', 'namespace', 'e2e-it-redeploy', '--wait=false'].execute().waitFor()
    refs.each { ref ->
        ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', ref].execute().waitFor()
        ['docker', 'rmi', ref].execute().waitFor()
    }
}
return true
