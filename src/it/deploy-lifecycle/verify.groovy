import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
assert image.reference ==~ /localhost\/it\/datastorage:workflowexecution-[0-9a-f]{12}/
def ns = "e2e-workflowexecution-${ledger.run}"
assert log.contains("e2e: namespace ${ns} created") : 'log.contains("e2e: namespace \${ns} created") (see build.log)'
assert log.contains('e2e: stage 1/2: applied 2 object(s)') : 'log.contains(\'e2e: stage 1/2: applied 2 object(s)\') (see build.log)'
assert log.contains('e2e: stage 2/2: applied 2 object(s)') : 'log.contains(\'e2e: stage 2/2: applied 2 object(s)\') (see build.log)'
// the replica runs the image this run built (the migration Job ran it too, and has completed)
def proof = "e2e: datastorage: sources sha256:${image.digest.substring(0, 12)}… → image sha256:${image.imageId.substring(7, 19)}… → 1 pod(s) ✔"
assert log.contains(proof) : "missing the freshness proof line: ${proof}"
// teardown removed everything it recorded, in this order
assert log.contains("e2e: removed Namespace/${ns}") : 'log.contains("e2e: removed Namespace/\${ns}") (see build.log)'
assert log.contains("e2e: removed node image ${image.reference} from e2e-it-control-plane") : 'log.contains("e2e: removed node image \${image.reference} from e2e-it-control-plane") (see build.log)'
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
assert ledger.nodeImages.every { it.state == 'REMOVED' }
// the newest image of this service is kept so the next unchanged run skips its build; remove it here
assert log.contains("e2e: kept image ${image.reference}") || log.contains('e2e: datastorage: up to date') : 'the newest image must be kept (or was up to date already)'
def p = ['docker', 'rmi', image.reference].execute()
p.waitFor()
assert p.exitValue() == 0
return true
