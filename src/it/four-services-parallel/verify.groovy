import groovy.json.JsonSlurper
// Four services in parallel on one cluster: four distinct tags and namespaces, four green ITs,
// and nothing left afterwards. Judged on each service's target/e2e/report.json.
def log = new File(basedir, 'build.log').text
def example = new File(basedir, '../../../examples/datastorage-e2e').canonicalFile
def services = ['gateway', 'signalprocessing', 'workflowexecution', 'remediationorchestrator']
def reports = services.collect { new JsonSlurper().parse(new File(example, "${it}/target/e2e/report.json")) }
def refs = reports.collect { r -> r.images.find { it.id == 'datastorage' }.reference }
def allRefs = reports.collectMany { r -> r.images*.reference }
assert refs.unique(false).size() == 4 : "four distinct tags: ${refs}"
services.eachWithIndex { s, i -> assert refs[i].startsWith("localhost/kubernaut/datastorage:${s}-") : refs[i] }
def namespaces = reports.collect { it.namespace.name }
assert namespaces.unique(false).size() == 4 : "four namespaces: ${namespaces}"
assert (log =~ /Tests run: 5, Failures: 0, Errors: 0, Skipped: 0, Time elapsed/).count == 4 : 'four green contract suites'
reports.each { r ->
    assert r.failure == null : "${r.service} failed: ${r.failure}"
    // DataStorage, PostgreSQL and Redis: each proven fresh in every pod that runs it
    assert r.images*.id.sort() == r.proofs*.image.unique().sort() : "${r.service}: images without a proof: ${r.proofs}"
    assert r.proofs.every { it.verdict == 'fresh' } : "${r.service}: ${r.proofs}"
    assert r.endpoints.any { it.property == 'e2e.endpoint.datastorage.url' && it.url ==~ /http:\/\/127\.0\.0\.1:\d+/ }
    assert r.objects.every { it.state == 'REMOVED' } : "objects left in ${r.service}: ${r.objects.findAll { it.state != 'REMOVED' }}"
    assert r.images.every { i -> i.nodes.every { it.state in ['REMOVED', 'REUSED'] } }
}
assert log.contains('BUILD SUCCESS')
// kept on purpose (newest per service, for the next unchanged run): remove them so the IT leaves nothing
allRefs.each { r ->
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', r].execute().waitFor()
    ['docker', 'rmi', r].execute().waitFor()
}
return true
