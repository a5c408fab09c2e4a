package io.github.e2ekit.e2e.deploy;

/**
 * A workload did not become ready: why, as a Kubernetes reason like {@code CrashLoopBackOff} ({@link #reason()}), and
 * the message naming the workload and the details.
 */
public class NotReadyException extends DeployException {
    private final String reason;

    public NotReadyException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
