import groovy.json.JsonSlurper
// The same lifecycle as single-service, on Podman: names are localhost/…, IDs are Podman's. Judged on report.json.

def log = new File(basedir, 'build.log').text
def lifecycle = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Lifecycle.groovy'))
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
// teardown removed everything it recorded (removeImages=all: the image this run built too)
assert image.nodes.collect { "${it.node} ${it.state}" } == ["${itCluster}-podman-control-plane REMOVED"]
lifecycle.removedEverything(report, image, 'podman')
// the failsafe IT read the endpoint and the digest from the exported properties, and passed
lifecycle.endpointReadByTheIt(basedir, log, report, ledger)
return true
