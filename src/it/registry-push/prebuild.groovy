import io.github.e2ekit.e2e.testbed.ItPrebuild
import io.github.e2ekit.e2e.testbed.LocalRegistry

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
// the registry lives until verify.groovy stops it (or this JVM ends); user and password as in ../settings.xml
def dir = new File(basedir, 'target/registry')
dir.mkdirs()
def registry = LocalRegistry.start(dir.toPath(), 'it-user', 'it-registry-Secret-42')
new File(basedir, 'target/registry/pid').text = registry.pid().toString()
new File(basedir, 'target/registry/host').text = registry.host()
// kind's local-registry guide, as a user follows it once per cluster: on every node a certs.d hosts.toml that sends
// pulls of this registry to 'kind-registry:5000' on the kind network, and the registry connected to that network
// (without this, the nodes cannot pull from the host's 127.0.0.1 and the plugin refuses before pushing)
ItPrebuild.setUpKindLocalRegistry(basedir, registry.host())
new File(basedir, '.mvn').mkdirs()
new File(basedir, '.mvn/maven.config').text = "-De2e.load.registry=${registry.host()}/e2e\n".toString()
return true
