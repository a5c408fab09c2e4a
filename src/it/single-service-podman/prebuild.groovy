def ready = new File(basedir, '../../it-testbed-podman/testbed.properties')
def deadline = System.currentTimeMillis() + 180_000
while (!ready.exists() && System.currentTimeMillis() < deadline) { Thread.sleep(200) }
assert ready.exists() : 'the Podman test bed did not start (see target/it-testbed-podman)'
java.nio.file.Files.copy(java.nio.file.Paths.get('/bin/busybox'), new File(basedir, 'app/busybox').toPath(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING)
return true
