import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir, 'it-testbed-podman', 180_000, 'the Podman test bed did not start (see target/it-testbed-podman)')
ItPrebuild.copyBusybox(basedir, 'app')
return true
