import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def ns = "e2e-gateway-${ledger.run}"
assert log.contains("e2e: namespace ${ns} created") : 'the run created its namespace (see build.log)'
assert log.contains("e2e: removed Namespace/${ns}") : 'teardown reports the namespace removed once it is gone'
assert !log.contains('still exists') : 'the 3 s finalizer is well inside the wait'
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
// the ledger is truthful: the namespace really is gone (asked with the real kubectl)
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
def get = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'namespace', ns, '-o', 'name'].execute()
def err = new StringBuilder()
get.consumeProcessErrorStream(err)
get.waitFor()
assert get.exitValue() != 0 && err.toString().contains('NotFound') : "namespace ${ns} still exists: ${err}"
return true
