import groovy.json.JsonSlurper

def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = report.images.find { it.id == 'datastorage' }
assert image != null : 'the report has no datastorage image'
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
assert image.imageId.startsWith('sha256:')
assert image.built : 'the first invocation built it'
assert image.nodes.size() == 1 && image.nodes[0].node == "${itCluster}-control-plane" && image.nodes[0].action == 'imported'
// one run over three invocations: tag, build, load; teardown (new invocation, from the ledger alone); teardown again
assert report.goals*.goal == ['tag', 'build', 'load', 'teardown', 'teardown'] : report.goals
assert report.goals.every { it.outcome == 'success' } && report.failure == null : report.goals

// after the teardowns: everything this run created is marked removed, and really gone
assert image.state == 'REMOVED'
assert image.nodes[0].state == 'REMOVED'
// (the third invocation, a second teardown, found nothing live: its goal above succeeded on a ledger all REMOVED)
assert ledger.images.every { it.state == 'REMOVED' } && ledger.nodeImages.every { it.state == 'REMOVED' }

def sh = { String... cmd ->
    def p = cmd.execute()
    def out = p.text
    p.waitFor()
    [p.exitValue(), out]
}
def (code, refs) = sh('docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q')
assert code == 0
assert !refs.contains(image.reference) : "node still holds ${image.reference}"
assert !refs.contains(image.imageId) : "node still holds the CRI reference ${image.imageId}"
def side = ledger.nodeImages.find { it.reference == image.nodes[0].reference }.sideReferences
assert !side.isEmpty() : 'the import created side references (ctr import-…@digest, the CRI sha256 name), recorded in the ledger'
side.each { assert !refs.contains(it) : "node still holds the side reference ${it}" }
def (icode, ignored) = sh('docker', 'image', 'inspect', image.reference)
assert icode != 0 : "local image ${image.reference} was not removed"
return true
