import groovy.json.JsonSlurper
// Three runs: a changed source file gives a new tag, a new image and pods running it; an unchanged
// work tree gives the same tag, and build and load are skipped. Judged on each run's report.json.
def runs = new File(basedir, 'target/e2e/runs').listFiles().collect { new JsonSlurper().parse(new File(it, 'report.json')) }
        .sort { it.started }
assert runs.size() == 3 : "expected three runs' reports, got ${runs.size()}"
def images = runs.collect { r -> r.images.find { it.id == 'datastorage' } }
def tags = images*.reference
tags.each { assert it ==~ /localhost\/it\/stale:gateway-[0-9a-f]{12}/ : it }
assert tags[0] != tags[1] : 'a changed source file must give a new tag'
assert tags[1] == tags[2] : 'an unchanged work tree must give the same tag'
assert images[0].sourceDigest != images[1].sourceDigest && images[1].sourceDigest == images[2].sourceDigest

// every run proved its pod fresh: the pod runs the image this run built or found up to date
runs.eachWithIndex { r, i ->
    def proofs = r.proofs.findAll { it.image == 'datastorage' }
    assert proofs.size() == 1 && proofs[0].verdict == 'fresh' && proofs[0].expected == images[i].imageId :
            "run ${i + 1}: ${proofs}"
    assert r.failure == null : "run ${i + 1} failed: ${r.failure}"
    assert r.goals*.goal == ['tag', 'build', 'load', 'deploy', 'teardown'] : r.goals
}
assert images[0].imageId != images[1].imageId : 'pods must run the new image after the change'
assert images[1].imageId == images[2].imageId : 'the third run must run the same image as the second'

assert images*.built == [true, true, false] : "build outcomes: ${images*.built}"
assert images[0].nodes*.action == ['imported'] && images[1].nodes*.action == ['imported'] :
        "the first two loads import: ${images[0].nodes} ${images[1].nodes}"
// the third load puts nothing into the node (a node that already held it is recorded as 'present')
assert images[2].nodes*.action == ['present'] : "the third load must be skipped: ${images[2].nodes}"
// every run's IT saw its own /version = its own digest
def log = new File(basedir, 'build.log').text
assert (log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed/).count == 3 : 'three green ITs'

// Kept on purpose (newest per image and service); remove them so the IT leaves nothing behind.
tags.unique().each { t ->
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', t].execute().waitFor()
    ['docker', 'rmi', t].execute().waitFor()
}
return true
