import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def image = ledger.images.find { it.id == 'datastorage' }
assert image.reference ==~ /localhost\/it\/datastorage:gateway-[0-9a-f]{12}/
def ns = "e2e-gateway-${ledger.run}"
assert log.contains("e2e: namespace ${ns} created") : 'log.contains("e2e: namespace \${ns} created") (see build.log)'
assert log.contains('e2e: stage 1/2: applied 2 object(s)') : 'log.contains(\'e2e: stage 1/2: applied 2 object(s)\') (see build.log)'
assert log.contains('e2e: stage 2/2: applied 2 object(s)') : 'log.contains(\'e2e: stage 2/2: applied 2 object(s)\') (see build.log)'
// render wrote what deploy applied, with this run's reference, for review
def rendered = new File(basedir, 'target/e2e/manifests/stage-2').listFiles().collect { it.text }.join('\n')
assert rendered.contains("image: ${image.reference}") : "target/e2e/manifests/stage-2 lacks image ${image.reference}"
assert log.contains('e2e: rendered ') : 'the render goal did not run'
// the replica runs the image this run built (the migration Job ran it too, and has completed)
def proof = "e2e: datastorage: sources sha256:${image.digest.substring(0, 12)}… → image sha256:${image.imageId.substring(7, 19)}… → 1/1 nodes → 1/1 pods ✔"
assert log.contains(proof) : "missing the freshness proof line: ${proof}"
// teardown removed everything it recorded, in this order
assert log.contains("e2e: removed Namespace/${ns}") : 'log.contains("e2e: removed Namespace/\${ns}") (see build.log)'
assert log.contains("e2e: removed node image ${image.reference} from ${itCluster}-control-plane") : 'log.contains("e2e: removed node image \${image.reference} from ${itCluster}-control-plane") (see build.log)'
assert ledger.objects.every { it.state == 'REMOVED' } : "objects left: ${ledger.objects.findAll { it.state != 'REMOVED' }}"
assert ledger.nodeImages.every { it.state == 'REMOVED' }
// removeImages=all: the image this run built is removed too
assert log.contains("e2e: removed image ${image.reference}") || log.contains('e2e: datastorage: up to date') : 'removeImages=all removes the image this run built'
def inspect = ['docker', 'image', 'inspect', image.reference].execute()
inspect.waitFor()
if (log.contains("e2e: removed image ${image.reference}")) {
    assert inspect.exitValue() != 0 : "image ${image.reference} still exists"
} else {
    ['docker', 'rmi', image.reference].execute().waitFor()
}
// the failsafe IT read the endpoint and the digest from the exported properties, and passed
assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'the failsafe IT did not run or failed'
def endpoints = new Properties()
new File(basedir, 'target/e2e/endpoints.properties').withInputStream { endpoints.load(it) }
assert endpoints.getProperty('e2e.endpoint.datastorage.url') ==~ /http:\/\/127\.0\.0\.1:\d+/
assert log.contains("e2e: endpoint datastorage → ${endpoints.getProperty('e2e.endpoint.datastorage.url')}") : 'endpoint line'
assert log.contains('e2e: closed 1 port-forward(s)') : 'teardown closes the port-forward'
// the pods' logs were followed into target/e2e/logs/<namespace>/<pod>.<container>.log while the ITs ran, and the
// log says where: the app's own output (httpd -vv logs each request: the endpoint's /readyz, the IT's /version)
def logsDir = new File(basedir, "target/e2e/logs/${ns}")
assert log.contains("e2e: pod logs of namespace ${ns} → ") : 'the deploy goal says where the pod logs go'
assert log.contains('e2e: pod logs (') && log.contains(" file(s)) are in ${logsDir.absolutePath}") : 'teardown says where the pod logs are'
def appLogs = logsDir.listFiles().findAll { it.name ==~ /datastorage-[a-z0-9]+-[a-z0-9]+\.datastorage\.log/ }
assert appLogs.size() == 1 : "no datastorage pod log in ${logsDir}: ${logsDir.list()}"
def appLog = appLogs[0].text
assert appLog.contains('url:/readyz') : "${appLogs[0]} lacks the app's output: ${appLog}"
assert appLog.contains('url:/version') : "${appLogs[0]} lacks the IT's request: ${appLog}"
return true
