import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
// a failed earlier run of this IT may have kept its images: start from none
def tags = ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/it/stale'].execute().text.readLines()
tags.each { ['docker', 'rmi', it].execute().waitFor() }
['docker', 'exec', "${itCluster}-control-plane", 'sh', '-c',
 'ctr -n k8s.io images ls -q | grep localhost/it/stale | xargs -r ctr -n k8s.io images rm'].execute().waitFor()
// each run's report is kept under target/e2e/runs/<run>/ (see pom.xml): only this invocation's runs
new File(basedir, 'target/e2e/runs').deleteDir()
return true
