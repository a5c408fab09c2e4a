import groovy.json.JsonSlurper
// 1: deploy fails on a crash loop and keepOnFailure keeps everything; 2: teardown, in a new invocation, removes it.
// One run over both invocations: its report.json holds both.
def log = new File(basedir, 'build.log').text
def report = new JsonSlurper().parse(new File(basedir, 'target/e2e/report.json'))
def image = report.images.find { it.id == 'datastorage' }
assert report.failure?.goal == 'deploy' && report.failure.message.contains('CrashLoopBackOff') : report.failure
assert report.goals*.goal == ['tag', 'build', 'load', 'deploy', 'teardown'] : report.goals
assert report.goals.find { it.goal == 'teardown' }.outcome == 'success'
// what a person reads: the exact command to remove it later; and nothing removed by the failed goal
assert log.contains("run ${report.run} is kept") && log.contains("'mvn e2e:teardown'") : 'the command to remove it later'
assert !log.contains('failed: removing what run') : 'keepOnFailure must keep, not remove'
// the second invocation, from the ledger alone, removed what the first kept
assert report.namespace.name == "e2e-gateway-${report.run}" && report.namespace.state == 'REMOVED'
assert image.nodes.collect { "${it.node} ${it.state}" } == ["${itCluster}-control-plane REMOVED"] : 'and the node image'
assert image.state == 'REMOVED' : 'and the local image'
assert report.objects.every { it.state == 'REMOVED' }
return true
