import groovy.json.JsonSlurper
// Two images, the second fails to build: the failed goal removes the image already built; the failed
// step's container is not left behind; the error names the image, the step and its output.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def good = report.images.find { it.id == 'good' }
assert good.built : 'the first image was built'
assert report.failure?.goal == 'build' : report.failure
// what a person reads: the image and the step (in the one line), and the step's own output (in the log)
def whole = report.failure.text ?: report.failure.message
assert whole.contains("'bad'") && whole.contains('Step 3/') : report.failure
assert log.contains('compile error in bad') : 'the failing step output is shown'
// the failed goal cleaned up: the image built before the failure is removed
assert good.state == 'REMOVED' : good
def p = ['docker', 'image', 'inspect', good.reference].execute(); p.waitFor()
assert p.exitValue() != 0 : "${good.reference} is left behind"
def exited = ['docker', 'ps', '-a', '--filter', 'status=exited', '--filter', 'status=created', '-q'].execute().text.trim()
assert exited.isEmpty() : "containers left behind by the failed build: ${exited}"
assert report.images.every { it.state in ['REMOVED', 'INTENDED'] } : "${report.images}"
return true
