def ready = new File(basedir, '../../it-testbed/testbed.properties')
def deadline = System.currentTimeMillis() + 120_000
while (!ready.exists() && System.currentTimeMillis() < deadline) { Thread.sleep(200) }
assert ready.exists() : 'the test bed did not start'
java.nio.file.Files.copy(java.nio.file.Paths.get('/bin/busybox'), new File(basedir, 'app/busybox').toPath(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING)
// a failed earlier run of this IT may have kept its images: start from none
def tags = ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/it/stale'].execute().text.readLines()
tags.each { ['docker', 'rmi', it].execute().waitFor() }
['docker', 'exec', 'e2e-it-control-plane', 'sh', '-c',
 'ctr -n k8s.io images ls -q | grep localhost/it/stale | xargs -r ctr -n k8s.io images rm'].execute().waitFor()
return true
