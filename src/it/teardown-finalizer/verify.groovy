import groovy.json.JsonSlurper
// Judged on target/e2e/report.json (the run's facts) and, for the namespace, on the real kubectl.
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ns = "e2e-gateway-${report.run}"
assert report.namespace?.name == ns && report.namespace.created : "the run created its namespace: ${report.namespace}"
assert report.namespace.state == 'REMOVED' : 'teardown records the namespace removed once it is gone'
assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
// the 3 s finalizer is well inside the wait: teardown succeeded, nothing failed
assert report.failure == null : "a goal failed: ${report.failure}"
assert report.goals.find { it.goal == 'teardown' }?.outcome == 'success' : report.goals
// the report is truthful: the namespace really is gone (asked with the real kubectl)
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
def get = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'namespace', ns, '-o', 'name'].execute()
def err = new StringBuilder()
get.consumeProcessErrorStream(err)
get.waitFor()
assert get.exitValue() != 0 && err.toString().contains('NotFound') : "namespace ${ns} still exists: ${err}"
return true
