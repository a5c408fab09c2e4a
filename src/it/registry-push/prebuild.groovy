import io.github.e2ekit.e2e.testbed.LocalRegistry

def ready = new File(basedir, '../../it-testbed/testbed.properties')
def deadline = System.currentTimeMillis() + 120_000
while (!ready.exists() && System.currentTimeMillis() < deadline) { Thread.sleep(200) }
assert ready.exists() : 'the test bed did not start'

java.nio.file.Files.copy(java.nio.file.Paths.get('/bin/busybox'), new File(basedir, 'app/busybox').toPath(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING)
// the registry lives until verify.groovy stops it (or this JVM ends); user and password as in ../settings.xml
def dir = new File(basedir, 'target/registry')
dir.mkdirs()
def registry = LocalRegistry.start(dir.toPath(), 'it-user', 'it-registry-Secret-42')
new File(basedir, 'target/registry/pid').text = registry.pid().toString()
new File(basedir, 'target/registry/host').text = registry.host()
new File(basedir, '.mvn').mkdirs()
new File(basedir, '.mvn/maven.config').text = "-De2e.load.registry=${registry.host()}/e2e\n".toString()
return true
