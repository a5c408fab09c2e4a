import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
// a namespace someone else made before the run, with its own label
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
// a left-over from an earlier invocation is deleted first, and waited for (it stays Terminating a moment)
['kubectl', '--kubeconfig', kubeconfig, 'delete', 'namespace', 'it-shared-team', '--ignore-not-found', '--wait=false'].execute().waitFor()
for (int i = 0; i < 100; i++) {
    def get = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'namespace', 'it-shared-team'].execute()
    get.waitFor()
    if (get.exitValue() != 0) {
        break
    }
    Thread.sleep(200)
}
def create = ['kubectl', '--kubeconfig', kubeconfig, 'create', 'namespace', 'it-shared-team'].execute()
create.waitForProcessOutput(System.out, System.err)
assert create.exitValue() == 0
def label = ['kubectl', '--kubeconfig', kubeconfig, 'label', 'namespace', 'it-shared-team', 'team=platform'].execute()
label.waitForProcessOutput(System.out, System.err)
assert label.exitValue() == 0
return true
