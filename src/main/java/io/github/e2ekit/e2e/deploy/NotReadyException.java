package io.github.e2ekit.e2e.deploy;

/** A workload did not become ready: which, why (a Kubernetes reason like CrashLoopBackOff), and details. */
public class NotReadyException extends DeployException {
    private final AppliedObject object;
    private final String reason;

    public NotReadyException(AppliedObject object, String reason, String message) {
        super(message);
        this.object = object;
        this.reason = reason;
    }

    public AppliedObject object() {
        return object;
    }

    public String reason() {
        return reason;
    }
}
