import groovy.json.JsonSlurper
// Four services in parallel on one cluster: four distinct tags and namespaces, four green ITs,
// and nothing left afterwards.
def log = new File(basedir, 'build.log').text
def example = new File(basedir, '../../../examples/datastorage-e2e').canonicalFile
def services = ['gateway', 'signalprocessing', 'workflowexecution', 'remediationorchestrator']
def ledgers = services.collect { new JsonSlurper().parse(new File(example, "${it}/target/e2e/ledger.json")) }
def refs = ledgers.collect { l -> l.images.find { it.id == 'datastorage' }.reference }
def allRefs = ledgers.collectMany { l -> l.images.collect { it.reference } }
assert refs.unique(false).size() == 4 : "four distinct tags: ${refs}"
services.eachWithIndex { s, i -> assert refs[i].startsWith("localhost/kubernaut/datastorage:${s}-") : refs[i] }
def namespaces = ledgers.collect { l -> l.objects.find { it.kind == 'Namespace' }.name }
assert namespaces.unique(false).size() == 4 : "four namespaces: ${namespaces}"
assert (log =~ /Tests run: 5, Failures: 0, Errors: 0, Skipped: 0, Time elapsed/).count == 4 : 'four green contract suites'
ledgers.each { l ->
    assert l.objects.every { it.state == 'REMOVED' } : "objects left in ${l.service}: ${l.objects.findAll { it.state != 'REMOVED' }}"
    assert l.nodeImages.every { it.state in ['REMOVED', 'REUSED'] }
    assert l.portForwards.every { it.state == 'REMOVED' }
}
assert log.contains('BUILD SUCCESS')
// kept on purpose (newest per service, for the next unchanged run): remove them so the IT leaves nothing
allRefs.each { r ->
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', r].execute().waitFor()
    ['docker', 'rmi', r].execute().waitFor()
}
return true
