import groovy.json.JsonSlurper
// The same lifecycle as single-service, on Podman: names are localhost/…, IDs are Podman's. Judged on report.json.

def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
assert report.cluster.provider == 'podman' : "the build must have run on Podman: ${report.cluster}"
assert report.failure == null : "a goal failed: ${report.failure}"
def image = report.images.find { it.id == 'datastorage' }
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
def ns = "e2e-gateway-${report.run}"
assert report.namespace.name == ns && report.namespace.created : report.namespace
// (no migration Job here: the test bed cannot see a process exit in a node run by Podman, so a Job never completes)
assert report.objects.findAll { it.kind != 'Namespace' }*.kind.sort() == ['Deployment', 'Service'] : 'the Deployment and its Service were applied'
// the replica runs the image this run built
def proofs = report.proofs.findAll { it.image == 'datastorage' }
assert proofs.size() == 1 && proofs[0].verdict == 'fresh' && proofs[0].expected == image.imageId : proofs
// teardown removed everything it recorded
assert report.namespace.state == 'REMOVED'
assert image.nodes.collect { "${it.node} ${it.state}" } == ["${itCluster}-podman-control-plane REMOVED"]
assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
// removeImages=all: the image this run built is removed too
def inspect = ['podman', 'image', 'inspect', image.reference].execute()
inspect.waitFor()
if (image.built) {
    assert image.state == 'REMOVED' && inspect.exitValue() != 0 : "image ${image.reference} still exists"
} else {
    ['podman', 'rmi', image.reference].execute().waitFor()
}
// the failsafe IT read the endpoint and the digest from the exported properties, and passed
assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'the failsafe IT did not run or failed'
def endpoints = new Properties()
new File(basedir, 'target/e2e/endpoints.properties').withInputStream { endpoints.load(it) }
def url = endpoints.getProperty('e2e.endpoint.datastorage.url')
assert url ==~ /http:\/\/127\.0\.0\.1:\d+/
assert report.endpoints.find { it.name == 'datastorage' }?.url == url : report.endpoints
assert ledger.portForwards.size() == 1 && ledger.portForwards.every { it.state == 'REMOVED' } : 'teardown closes the port-forward'
return true
