import groovy.json.JsonSlurper
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def ns = "e2e-gateway-${ledger.run}"
def image = ledger.images.find { it.id == 'datastorage' }
assert log.contains('is CrashLoopBackOff') : 'deploy failed on the crash loop'
assert log.contains("e2e: keepOnFailure: run ${ledger.run} is kept; remove it with 'mvn e2e:teardown'") : 'the exact command to remove it later'
assert !log.contains('failed: removing what run') : 'keepOnFailure must keep, not remove'
// the second invocation, from the ledger alone, removed what the first kept
assert log.contains("e2e: removed Namespace/${ns}") : 'teardown removed the kept namespace'
assert log.contains("e2e: removed node image ${image.reference} from ${itCluster}-control-plane") : 'and the node image'
assert log.contains("e2e: removed image ${image.reference}") : 'and the local image'
assert ledger.objects.every { it.state == 'REMOVED' }
assert ledger.nodeImages.every { it.state == 'REMOVED' }
return true
