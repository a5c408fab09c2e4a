def log = new File(basedir, 'build.log').text
assert log.contains('<tagTemplate> unknown placeholder {sha}') : 'expected one line naming <tagTemplate>'
assert !log.contains('\tat io.github.e2ekit') : 'a stack trace reached the default log'
assert !new File(basedir, 'target/e2e/ledger.json').exists() || !new File(basedir, 'target/e2e/ledger.json').text.contains('"imageId"')
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
assert report.failure?.goal == 'build' && report.failure.message.contains('{sha}') : report.failure
assert report.images.isEmpty() : "nothing was decided: ${report.images}"
return true
