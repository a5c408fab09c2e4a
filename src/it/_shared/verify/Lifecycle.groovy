// Checks the verify.groovy scripts share, on what a run produced (report.json, ledger.json, the engine). A script loads
// them with (basedir is target/it/<name>, three levels below this repository's root):
//   def lifecycle = new GroovyShell(getClass().classLoader).parse(new File(basedir, '../../../src/it/_shared/verify/Lifecycle.groovy'))

/** Teardown removed the namespace and every object it recorded; removeImages=all: the image this run built too. */
def removedEverything(report, image, String engineCli) {
    assert report.namespace.state == 'REMOVED'
    assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
    def inspect = [engineCli, 'image', 'inspect', image.reference].execute()
    inspect.waitFor()
    if (image.built) {
        assert image.state == 'REMOVED' && inspect.exitValue() != 0 : "image ${image.reference} still exists"
    } else {
        [engineCli, 'rmi', image.reference].execute().waitFor()
    }
}

/** The failsafe IT read the endpoint and the digest from the exported properties, and passed; the port-forward is closed. */
def endpointReadByTheIt(File basedir, String log, report, ledger) {
    assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'the failsafe IT did not run or failed'
    def endpoints = new Properties()
    new File(basedir, 'target/e2e/endpoints.properties').withInputStream { endpoints.load(it) }
    def url = endpoints.getProperty('e2e.endpoint.datastorage.url')
    assert url ==~ /http:\/\/127\.0\.0\.1:\d+/
    assert report.endpoints.find { it.name == 'datastorage' }?.url == url : report.endpoints
    assert ledger.portForwards.size() == 1 && ledger.portForwards.every { it.state == 'REMOVED' } : 'teardown closes the port-forward'
    return url
}

/**
 * After a failed deploy: every object removed, every node image removed or reused; then the images the run kept
 * (in the node of cluster itCluster and in Docker) are removed so the IT leaves nothing.
 */
def failedRunCleanedUp(report, String itCluster) {
    assert report.objects.every { it.state == 'REMOVED' } : "objects left: ${report.objects.findAll { it.state != 'REMOVED' }}"
    assert report.images.every { i -> i.nodes.every { it.state in ['REMOVED', 'REUSED'] } }
    report.images.each { i ->
        ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', i.reference].execute().waitFor()
        ['docker', 'rmi', i.reference].execute().waitFor()
    }
}
