import groovy.json.JsonSlurper
// Judged on what the run produced: target/e2e/report.json, the rendered manifests, the pod logs, the engine.
def log = new File(basedir, 'build.log').text
def lifecycle = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Lifecycle.groovy'))
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = report.images.find { it.id == 'datastorage' }
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
assert report.failure == null : "a goal failed: ${report.failure}"
assert report.goals*.goal == ['tag', 'build', 'load', 'render', 'deploy', 'teardown'] : report.goals
def ns = "e2e-gateway-${report.run}"
assert report.namespace.name == ns && report.namespace.created : "the run created its namespace: ${report.namespace}"
// both stages applied, each object recorded before it was created
assert report.objects.findAll { it.kind != 'Namespace' }.collect { "${it.kind}/${it.name}" }.sort() ==
        ['ConfigMap/postgres-config', 'Deployment/datastorage', 'Job/migrations', 'Service/data-storage-service']
// render wrote what deploy applied, with this run's reference, for review
def rendered = new File(basedir, 'target/e2e/manifests/stage-2').listFiles().collect { it.text }.join('\n')
assert rendered.contains("image: ${image.reference}") : "target/e2e/manifests/stage-2 lacks image ${image.reference}"
// the replica runs the image this run built, proven on its node (the migration Job ran it too, and has completed)
def proofs = report.proofs.findAll { it.image == 'datastorage' }
assert proofs.size() == 1 && proofs[0].verdict == 'fresh' && proofs[0].expected == image.imageId : proofs
assert proofs[0].node == "${itCluster}-control-plane" && proofs[0].pod.startsWith('datastorage-')
assert image.sourceDigest ==~ /[0-9a-f]{64}/ && image.reference.endsWith(image.sourceDigest.substring(0, 12))
// teardown removed everything it recorded (removeImages=all: the image this run built too)
assert image.nodes.collect { "${it.node} ${it.action} ${it.state}" } == ["${itCluster}-control-plane imported REMOVED"]
lifecycle.removedEverything(report, image, 'docker')
// the failsafe IT read the endpoint and the digest from the exported properties, and passed
lifecycle.endpointReadByTheIt(basedir, log, report, ledger)
// the pods' logs were followed into target/e2e/logs/<namespace>/<pod>.<container>.log while the ITs ran, and the
// log tells a person where: the app's own output (httpd -vv logs each request: the endpoint's /readyz, the IT's /version)
def logsDir = new File(basedir, "target/e2e/logs/${ns}")
assert log.readLines().count { it.contains('pod logs') && it.contains(ns) } >= 2 : 'deploy and teardown say where the pod logs are'
def appLogs = logsDir.listFiles().findAll { it.name ==~ /datastorage-[a-z0-9]+-[a-z0-9]+\.datastorage\.log/ }
assert appLogs.size() == 1 : "no datastorage pod log in ${logsDir}: ${logsDir.list()}"
def appLog = appLogs[0].text
assert appLog.contains('url:/readyz') : "${appLogs[0]} lacks the app's output: ${appLog}"
assert appLog.contains('url:/version') : "${appLogs[0]} lacks the IT's request: ${appLog}"
return true
