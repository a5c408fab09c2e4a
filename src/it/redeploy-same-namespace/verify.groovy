import groovy.json.JsonSlurper
// Run 1 deployed v1 into the fixed namespace and kept it; run 2 re-deployed changed sources (v2) into it. The
// new pod starts slowly while the old one stays ready: run 2 must wait for the new pod (kubectl rollout status's
// verdict), prove freshness on it, and the IT must be served by it.
def log = new File(basedir, 'build.log').text
// each run's report as deploy left it (kept by pom.xml), and the last run's after its teardown
def runs = (new File(basedir, 'target/e2e/runs').listFiles() ?: []).collect { new JsonSlurper().parse(new File(it, 'report.json')) }
        .sort { it.started }
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def refs = runs.collect { r -> r.images.find { it.id == 'datastorage' }.reference }
try {
    assert runs.size() == 2 && refs.unique(false).size() == 2 : "two runs, two images (v1 and v2): ${refs}"
    assert runs[0].namespace.name == 'e2e-it-redeploy'
    assert report.run == runs[1].run
    assert report.namespace.name == 'e2e-it-redeploy' && !report.namespace.created : 'run 2 deployed into the namespace run 1 left'
    def image = report.images.find { it.id == 'datastorage' }
    def proofs = report.proofs.findAll { it.image == 'datastorage' }
    assert proofs.size() == 1 && proofs[0].verdict == 'fresh' && proofs[0].expected == image.imageId :
            "run 2 proved its new pod fresh: ${proofs}"
    assert image.imageId != runs[0].images.find { it.id == 'datastorage' }.imageId
    // the IT read /version through the endpoint: the digest of run 2's sources, so the new pod served it
    assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'the failsafe IT did not run or failed'
} finally {
    def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
    ['kubectl', '--kubeconfig', kubeconfig, 'delete', 'namespace', 'e2e-it-redeploy', '--wait=false'].execute().waitFor()
    // (what to clean up is taken from the log too: the reports may be missing when the IT failed early)
    (refs + (log =~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/).collect { it }).unique().each { ref ->
        ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', ref].execute().waitFor()
        ['docker', 'rmi', ref].execute().waitFor()
    }
}
return true
