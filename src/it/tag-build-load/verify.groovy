import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
assert image != null : 'ledger has no datastorage image'
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
assert image.imageId.startsWith('sha256:')
assert log.contains("e2e: datastorage: built ${image.reference}") : 'log.contains("e2e: datastorage: built \${image.reference}") (see build.log)'
assert log.contains('imported into 1/1 nodes') : 'log.contains(\'imported into 1/1 nodes\') (see build.log)'
def nodeImages = ledger.nodeImages.findAll { it.reference == image.reference }
assert nodeImages.size() == 1 && nodeImages[0].node == "${itCluster}-control-plane"

// after the teardowns: everything this run created is marked removed, and really gone
assert image.state == 'REMOVED'
assert nodeImages[0].state == 'REMOVED'
assert log.contains("e2e: removed node image ${image.reference} from ${itCluster}-control-plane") : 'log.contains("e2e: removed node image \${image.reference} from ${itCluster}-control-plane") (see build.log)'
assert log.contains("e2e: removed image ${image.reference}") : 'log.contains("e2e: removed image \${image.reference}") (see build.log)'
assert log.contains('e2e: teardown removed 0 thing(s)') : 'the third invocation (a second teardown) should remove nothing'

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
def side = nodeImages[0].sideReferences
assert !side.isEmpty() : 'the import created side references (ctr import-…@digest, the CRI sha256 name), recorded in the ledger'
side.each { assert !refs.contains(it) : "node still holds the side reference ${it}" }
def (icode, ignored) = sh('docker', 'image', 'inspect', image.reference)
assert icode != 0 : "local image ${image.reference} was not removed"
return true
