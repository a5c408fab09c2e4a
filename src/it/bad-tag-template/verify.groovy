def log = new File(basedir, 'build.log').text
assert log.contains('<tagTemplate> unknown placeholder {sha}') : 'expected one line naming <tagTemplate>'
assert !log.contains('\tat io.github.e2ekit') : 'a stack trace reached the default log'
assert !new File(basedir, 'target/e2e/ledger.json').exists() || !new File(basedir, 'target/e2e/ledger.json').text.contains('"imageId"')
return true
