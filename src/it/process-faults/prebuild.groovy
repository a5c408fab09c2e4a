import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
return true
