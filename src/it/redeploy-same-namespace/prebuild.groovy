import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
ItPrebuild.copyBusybox(basedir, 'app-v1')
// each run's report is kept under target/e2e/runs/<run>/ (see pom.xml): only this invocation's runs
new File(basedir, 'target/e2e/runs').deleteDir()
return true
