import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.copyBusybox(basedir, 'app')
// BuildKit keeps its layer cache after the image is removed: a file of this run makes the RUN run (and print) again
new File(basedir, 'app/run.txt').text = UUID.randomUUID().toString()
return true
