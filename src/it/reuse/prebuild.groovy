import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app', 'app-v1', 'other')
new File(basedir, 'target/e2e/runs').deleteDir()
new File(basedir, 'xdg-cache').deleteDir()
// someone else's namespace, with an object of theirs: <reuse> into it must be refused (step 4)
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
['kubectl', '--kubeconfig', kubeconfig, 'create', 'namespace', 'it-reuse-theirs'].execute().waitFor()
def cm = ['kubectl', '--kubeconfig', kubeconfig, '-n', 'it-reuse-theirs', 'create', 'configmap', 'theirs',
          '--from-literal=a=b'].execute()
cm.waitFor()
return true
