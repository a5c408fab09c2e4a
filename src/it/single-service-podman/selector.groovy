// Runs where Podman answers; elsewhere says loudly why not. With CI=true Podman is required.
def socket = new File('/run/podman/podman.sock')
if (!socket.exists()) {
    def msg = '*** ENGINE MISSING: Podman (no /run/podman/podman.sock): single-service-podman not run; start it with bash scripts/engine.sh ***'
    if (System.getenv('CI') == 'true') {
        throw new AssertionError(msg + ' (CI=true: Podman is required)')
    }
    println msg
    return false
}
return true
