import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def shared = report.objects.find { it.kind == 'Namespace' && it.name == 'it-shared-team' }
assert shared.state == 'REUSED' && shared.patched : "recorded as found, never ours to remove: ${shared}"
assert log.contains('it-shared-team exists, not ours') : 'a person is told it is left as found'
def cmEntry = report.objects.find { it.kind == 'ConfigMap' && it.name == 'gateway-settings' }
assert cmEntry.namespace == 'it-shared-team' && cmEntry.state == 'REMOVED' : 'what the run created inside it goes'
assert log.contains('e2e: reap: ') : 'the reaper ran'
assert !log.contains('reap: removed namespace it-shared-team') && !log.contains('namespace it-shared-team:')
// the namespace survived teardown and reap, exactly as it was
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
def get = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'namespace', 'it-shared-team', '-o', 'json'].execute()
def out = new StringBuilder()
get.consumeProcessOutputStream(out)
get.waitFor()
assert get.exitValue() == 0 : 'the pre-existing namespace is gone'
def ns = new JsonSlurper().parseText(out.toString())
assert ns.metadata.deletionTimestamp == null : 'it is not being deleted'
assert ns.metadata.labels.team == 'platform' : "its own labels stay: ${ns.metadata.labels}"
assert !ns.metadata.labels.keySet().any { it.startsWith('e2ekit.io/') || it == 'app.kubernetes.io/managed-by' } : "never labelled as ours: ${ns.metadata.labels}"
assert !(ns.metadata.annotations ?: [:]).containsKey('e2ekit.io/expires') : 'never given an expiry'
def cm = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'configmap', 'gateway-settings', '-n', 'it-shared-team'].execute()
cm.waitFor()
assert cm.exitValue() != 0 : 'the ConfigMap the run created is removed'
['kubectl', '--kubeconfig', kubeconfig, 'delete', 'namespace', 'it-shared-team', '--wait=false'].execute().waitFor()
return true
