import io.github.e2ekit.e2e.testbed.ItPrebuild

// Every IT that needs the test bed waits for it (ItPrebuild); the smoke IT checks that it came up.
def ready = ItPrebuild.awaitTestBed(basedir, 'it-testbed', 120_000, 'the test bed did not start: see the build log for TestBedLauncher')
def p = new Properties()
ready.withInputStream { p.load(it) }
assert new File(p.kubeconfig).text.contains("kind-${itCluster}")
return true
