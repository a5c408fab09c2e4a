import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
assert image != null : 'ledger has no datastorage image'
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
assert image.state == 'CREATED'
assert image.imageId.startsWith('sha256:')
assert log.contains("e2e: datastorage: built ${image.reference}")
def nodeImages = ledger.nodeImages.findAll { it.reference == image.reference }
assert nodeImages.size() == 1 && nodeImages[0].state == 'CREATED' && nodeImages[0].node == 'e2e-it-control-plane'
assert log.contains('imported into 1/1 nodes')

def sh = { String... cmd ->
    def p = cmd.execute()
    def out = p.text
    p.waitFor()
    [p.exitValue(), out]
}
def (code, refs) = sh('docker', 'exec', 'e2e-it-control-plane', 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q')
assert code == 0 && refs.contains(image.reference) : "node does not hold ${image.reference}: ${refs}"
// No teardown goal here: remove what this IT created so nothing is left behind.
sh('docker', 'exec', 'e2e-it-control-plane', 'ctr', '-n', 'k8s.io', 'images', 'rm', image.reference)
sh('docker', 'rmi', image.reference)
return true
