import groovy.json.JsonSlurper
// Runs 1-6 with <reuse>: new, reused (nothing applied, same pods), rolled (only datastorage's Deployment got a new
// pod, proven fresh), reapplied (a ConfigMap's value changed: the manifests applied again, no pod replaced), rebuilt (its Deployments were deleted behind the plugin's back: the readiness check of the kept
// environment failed), rebuilt (the namespace was deleted behind the plugin's back); step 5 refused (a fixed namespace with someone else's ConfigMap); step 5, e2e:down, removed the
// namespace, the node images and the record, and nothing else.
def log = new File(basedir, 'build.log').text
def runs = (new File(basedir, 'target/e2e/runs').listFiles() ?: []).collect { new JsonSlurper().parse(new File(it, 'report.json')) }
        .sort { it.started }
def kubeconfig = new File(basedir, '../../it-testbed/kubeconfig').canonicalPath
def kubectl = { List<String> args ->
    def p = (['kubectl', '--kubeconfig', kubeconfig] + args).execute()
    def out = p.text
    p.waitFor()
    [p.exitValue(), out]
}
def pod = { r, image -> r.proofs.find { it.image == image }?.pod }
def ns = runs ? runs[0].namespace?.name : null
def refs = runs.collectMany { r -> r.images.collect { it.reference } }
try {
    assert runs.size() == 6 : "six deploys with their reports: ${runs.size()}"
    assert runs.collect { it.environment } == ['new', 'reused', 'rolled', 'reapplied', 'rebuilt', 'rebuilt'] : runs.collect { it.environment }
    assert runs.collect { it.namespace?.name ?: ns }.unique().size() == 1 : 'one namespace for all the runs'
    assert ns.startsWith('e2e-reuse-') && runs[0].namespace.created
    // run 2 applied nothing and served the tests from run 1's pods, proven fresh again
    assert runs[1].objects.isEmpty() : "run 2 applied ${runs[1].objects}"
    assert pod(runs[1], 'datastorage') == pod(runs[0], 'datastorage')
    assert runs[1].proofs.every { it.verdict == 'fresh' } && runs[1].proofs.size() == 2
    // run 3: datastorage's sources changed: its pod is new and fresh; other's pod is the one run 1 started
    assert runs[2].environmentReason == 'image(s) changed: datastorage'
    assert pod(runs[2], 'datastorage') != pod(runs[0], 'datastorage')
    assert pod(runs[2], 'other') == pod(runs[0], 'other')
    def image3 = runs[2].images.find { it.id == 'datastorage' }
    assert runs[2].proofs.find { it.image == 'datastorage' }.expected == image3.imageId
    assert runs[2].proofs.every { it.verdict == 'fresh' }
    // the rolled run applied into the namespace run 1 kept: said as kept, never as someone else's
    assert log.contains('namespace ' + ns + ' kept from an earlier run (<reuse>)')
    assert !log.contains('namespace ' + ns + ' exists (not ours')
    // run 4: only the ConfigMap's value changed: the manifests were applied again into the kept namespace, both
    // workloads kept their pods (proven fresh again)
    assert runs[3].environmentReason == 'the manifests changed'
    assert runs[3].objects.any { it.kind == 'ConfigMap' && it.name == 'note' } : runs[3].objects
    assert !runs[3].namespace?.created
    assert pod(runs[3], 'datastorage') == pod(runs[2], 'datastorage') && pod(runs[3], 'other') == pod(runs[2], 'other')
    assert runs[3].proofs.every { it.verdict == 'fresh' }
    // run 5: the kept Deployments were gone: the check of the kept environment failed, so it was made again (the
    // namespace removed and created by run 5), with new pods proven fresh
    assert runs[4].environmentReason != null && runs[4].environmentReason.contains('Deployment') : runs[4].environmentReason
    assert runs[4].namespace.created && runs[4].objects.size() == 5
    assert pod(runs[4], 'other') != pod(runs[3], 'other') && runs[4].proofs.every { it.verdict == 'fresh' }
    // run 6: the namespace was gone; made again (created by run 6), with new pods proven fresh
    assert runs[5].environmentReason == "namespace ${ns} is gone"
    assert runs[5].namespace.created && runs[5].objects.size() == 5
    assert pod(runs[5], 'other') != pod(runs[4], 'other') && runs[5].proofs.every { it.verdict == 'fresh' }
    assert (log =~ /Tests run: 1, Failures: 0, Errors: 0/).count >= 6 : 'the failsafe IT ran in each of the six runs'
    assert log.contains("'it-reuse-theirs' holds objects this plugin did not create (ConfigMap/theirs)")
    assert kubectl(['get', 'configmap', 'theirs', '-n', 'it-reuse-theirs'])[0] == 0 : 'their ConfigMap is untouched'
    // the last step (e2e:down): everything of the environment is gone
    assert log.contains('down: removed the environment in namespace ' + ns)
    def (code, out) = kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}'])
    assert code != 0 || out == 'Terminating' : "namespace ${ns} still there: ${out}"
    def reuseDir = new File(basedir, 'xdg-cache/e2e-maven-plugin/reuse')
    def left = reuseDir.list() ?: new String[0]
    assert left.length == 0 : "records left: ${left}"
    def nodeImages = ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q'].execute().text
    refs.unique().each { ref -> assert !nodeImages.contains(ref.replaceFirst('^localhost/', '')) : "node still holds ${ref}" }
} finally {
    kubectl(['delete', 'namespace', 'it-reuse-theirs', '--wait=false'])
    if (ns) {
        kubectl(['delete', 'namespace', ns, '--wait=false'])
    }
    (refs + (log =~ /localhost\/it\/(datastorage|reuse-other):reuse-[0-9a-f]{12}/).collect { it[0] }).unique().each { ref ->
        ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', ref].execute().waitFor()
        ['docker', 'rmi', ref].execute().waitFor()
    }
}
return true
