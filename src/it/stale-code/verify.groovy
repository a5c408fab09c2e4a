// Three runs: a changed source file gives a new tag, a new image and pods running it; an unchanged
// work tree gives the same tag, and build and load are skipped.
def log = new File(basedir, 'build.log').text
def tags = (log =~ /e2e: datastorage → (localhost\/it\/stale:gateway-[0-9a-f]{12})/).collect { it[1] }
assert tags.size() == 3 : "expected three Phase-0 decisions, got ${tags}"
assert tags[0] != tags[1] : 'a changed source file must give a new tag'
assert tags[1] == tags[2] : 'an unchanged work tree must give the same tag'

def proofs = (log =~ /e2e: datastorage: sources sha256:([0-9a-f]{12})… → image sha256:([0-9a-f]{12})… → 1\/1 nodes → 1\/1 pods ✔/).collect { [it[1], it[2]] }
assert proofs.size() == 3 : "expected three freshness proofs, got ${proofs}"
assert proofs[0][1] != proofs[1][1] : 'pods must run the new image after the change'
assert proofs[1] == proofs[2] : 'the third run must run the same image as the second'

def builds = (log =~ /e2e: datastorage: (built|up to date, build skipped)/).collect { it[1] }
assert builds == ['built', 'built', 'up to date, build skipped'] : "build outcomes: ${builds}"
def loads = (log =~ /e2e: datastorage: (imported into \d+\/\d+ nodes|already present on \d+\/\d+ nodes)/).collect { it[1] }
assert loads.size() == 3 && loads[0].startsWith('imported') && loads[1].startsWith('imported') : "load outcomes: ${loads}"
assert loads[2] == 'already present on 1/1 nodes' : "the third load must be skipped: ${loads[2]}"
// every run's IT saw its own /version = its own digest
assert (log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed/).count == 3 : 'three green ITs'

// Kept on purpose (newest per image and service); remove them so the IT leaves nothing behind.
tags.unique().each { t ->
    ['docker', 'exec', "${itCluster}-control-plane", 'ctr', '-n', 'k8s.io', 'images', 'rm', t].execute().waitFor()
    ['docker', 'rmi', t].execute().waitFor()
}
return true
