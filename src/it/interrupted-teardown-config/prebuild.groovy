import io.github.e2ekit.e2e.testbed.ItPrebuild

ItPrebuild.awaitTestBed(basedir)
ItPrebuild.copyBusybox(basedir, 'app')
// the <kindExecutable>: records each call (one line of arguments) and does nothing, so the test bed's cluster stays
def kind = new File(basedir, 'fake-kind')
kind.text = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/kind-calls.txt"\n'
kind.setExecutable(true)
return true
