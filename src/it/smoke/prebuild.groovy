// Every IT that needs the test bed waits for it here; the smoke IT checks that it came up.
def ready = new File(basedir, '../../it-testbed/testbed.properties')
def deadline = System.currentTimeMillis() + 120_000
while (!ready.exists() && System.currentTimeMillis() < deadline) {
    Thread.sleep(200)
}
assert ready.exists() : "the test bed did not start: see the build log for TestBedLauncher"
def p = new Properties()
ready.withInputStream { p.load(it) }
assert new File(p.kubeconfig).text.contains('kind-e2e-it')
return true
