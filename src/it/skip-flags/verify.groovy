// -DskipITs, -Dmaven.test.skip=true, -De2e.skip and the per-goal flag each skip E2E work before any of it starts.
def log = new File(basedir, 'build.log').text
['skipITs', 'maven.test.skip', 'e2e.skip', 'e2e.skip.build'].each { flag ->
    assert log.contains("e2e: build skipped (${flag})") : "no skip line for ${flag}"
}
assert !log.contains('unknown placeholder') : 'a skipped goal read its configuration'
assert !new File(basedir, 'target/e2e/ledger.json').exists() : 'a skipped goal started a run'
assert !new File(basedir, 'target/e2e/report.json').exists() : 'a skipped goal wrote a run report'
return true
