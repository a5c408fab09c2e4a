import groovy.json.JsonSlurper
// Two images, the second fails to build: the failed goal removes the image already built; the failed
// step's container is not left behind; the error names the image, the step and its output.
def log = new File(basedir, 'build.log').text
def ledger = new JsonSlurper().parse(new File(basedir, 'target/e2e/ledger.json'))
def good = ledger.images.find { it.id == 'good' }
assert log.contains("e2e: good: built ${good.reference}") : 'the first image was built'
assert log.contains("build of image 'bad' failed at Step 3/") : 'the error names the image and the step'
assert log.contains('compile error in bad') : 'the failing step output is shown'
assert log.contains('e2e: build failed: removing what run') : 'the failed goal cleaned up'
assert log.contains("e2e: removed image ${good.reference}") : 'the image built before the failure is removed'
def p = ['docker', 'image', 'inspect', good.reference].execute(); p.waitFor()
assert p.exitValue() != 0 : "${good.reference} is left behind"
def exited = ['docker', 'ps', '-a', '--filter', 'status=exited', '--filter', 'status=created', '-q'].execute().text.trim()
assert exited.isEmpty() : "containers left behind by the failed build: ${exited}"
assert ledger.images.every { it.state in ['REMOVED', 'INTENDED'] } : "${ledger.images}"
return true
