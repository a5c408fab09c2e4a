def ready = new File(basedir, '../../it-testbed/testbed.properties')
def deadline = System.currentTimeMillis() + 120_000
while (!ready.exists() && System.currentTimeMillis() < deadline) { Thread.sleep(200) }
assert ready.exists() : 'the test bed did not start'
return true
