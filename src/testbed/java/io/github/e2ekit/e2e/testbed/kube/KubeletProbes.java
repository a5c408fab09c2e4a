package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The kubelet's readiness prober and restart back-off, with every duration scaled by {@link TestBedTime}.
 *
 * <p>Probes as kubernetes {@code pkg/kubelet/prober/worker.go} runs them: none before {@code initialDelaySeconds},
 * then one every {@code periodSeconds} (default 10); a container starts not ready, becomes ready after
 * {@code successThreshold} (default 1) consecutive successes and unready after {@code failureThreshold} (default 3)
 * consecutive failures (defaults: {@code pkg/apis/core/v1/defaults.go SetDefaults_Probe}). A container without a
 * readiness probe is ready as soon as it runs.
 *
 * <p>Restarts as {@code pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff} with the kubelet's
 * {@code flowcontrol.Backoff} (initial 10 s, {@code MaxContainerBackOff} 300 s, {@code pkg/kubelet/kubelet.go}):
 * the first restart is immediate, then each waits 10 s × 2ⁿ⁻¹ — during which the container is waiting
 * {@code CrashLoopBackOff}, so that reason appears after the first restart.
 */
final class KubeletProbes implements AutoCloseable {
    static final Duration BACKOFF_INITIAL = Duration.ofSeconds(10);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(300);

    private final PodRuntime runtime;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "fake-kubelet-probe");
        t.setDaemon(true);
        return t;
    });

    /** One container's prober state; {@link #reset()} when the container (re)starts or stops. */
    static final class State {
        private volatile int generation;
        private volatile boolean ready;
        private volatile boolean probing;
        private volatile int successes;
        private volatile int failures;
        private volatile long probes;
        /** Why the last probe failed, as the kubelet words it; null after a pass. */
        private volatile String failure;

        String failure() {
            return failure;
        }

        synchronized void reset() {
            generation++;
            ready = false;
            probing = false;
            successes = 0;
            failures = 0;
            probes = 0;
            failure = null;
        }

        private synchronized void record(int gen, boolean ok, int successThreshold, int failureThreshold) {
            if (gen != generation) {
                return;
            }
            if (ok) {
                successes++;
                failures = 0;
                if (successes >= successThreshold) {
                    ready = true;
                }
            } else {
                failures++;
                successes = 0;
                if (failures >= failureThreshold) {
                    ready = false;
                }
            }
            probing = false;
        }
    }

    /**
     * How long a started container stays unseen: the kubelet learns of container starts and exits from its PLEG
     * relist every second (kubernetes {@code pkg/kubelet/kubelet.go genericPlegRelistPeriod}), so a process that
     * exits within that second is never reported running (nor Ready). Scaled, but never under three controller
     * passes, so the runtime's exit poll runs first.
     */
    static Duration relistPeriod() {
        Duration scaled = TestBedTime.seconds(1);
        Duration floor = Duration.ofMillis(300);
        return scaled.compareTo(floor) < 0 ? floor : scaled;
    }

    KubeletProbes(PodRuntime runtime) {
        this.runtime = runtime;
    }

    /** The unscaled wait before the next start of a container that exited after {@code restarts} restarts. */
    static Duration restartBackoff(int restarts) {
        if (restarts <= 0) {
            return Duration.ZERO;
        }
        long s = BACKOFF_INITIAL.toSeconds() << Math.min(10, restarts - 1);
        return Duration.ofSeconds(Math.min(s, BACKOFF_MAX.toSeconds()));
    }

    /**
     * Whether a running container started at {@code startedAt} is ready now; starts the probe that is due (in
     * the background: the answer counts from the next call).
     */
    boolean ready(PodRuntime.PodRef ref, JsonNode c, State st, Instant startedAt, Instant now) {
        JsonNode rp = c.path("readinessProbe");
        PodRuntime.Probe probe = rp.isObject() ? probeOf(rp, c) : null;
        if (probe == null) {
            return true; // no probe (or gRPC, which the runtime cannot run): ready once running
        }
        Duration since = Duration.between(startedAt, now);
        Duration initial = TestBedTime.seconds(rp.path("initialDelaySeconds").asInt(0));
        Duration period =
                TestBedTime.seconds(Math.max(1, rp.path("periodSeconds").asInt(10)));
        if (since.compareTo(initial) < 0) {
            return false;
        }
        // probe number n is due at initialDelay + n × period
        long due = since.minus(initial).toNanos() / Math.max(1, period.toNanos()) + 1;
        if (!st.probing && st.probes < due) {
            st.probing = true;
            st.probes = due;
            int gen = st.generation;
            int successThreshold = Math.max(1, rp.path("successThreshold").asInt(1));
            int failureThreshold = Math.max(1, rp.path("failureThreshold").asInt(3));
            String cname = c.path("name").asText();
            try {
                pool.execute(() -> {
                    boolean ok;
                    try {
                        ok = runtime.probe(ref, cname, probe);
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    if (gen == st.generation) {
                        st.failure =
                                ok ? null : runtime.probeFailure(ref, cname).orElse("probe failed");
                    }
                    st.record(gen, ok, successThreshold, failureThreshold);
                });
            } catch (RejectedExecutionException e) {
                st.probing = false;
            }
        }
        return st.ready;
    }

    /** The probe a container's readinessProbe asks for, or null for kinds the runtime cannot run (gRPC). */
    static PodRuntime.Probe probeOf(JsonNode rp, JsonNode c) {
        if (rp.has("httpGet")) {
            JsonNode h = rp.get("httpGet");
            String path = h.path("path").asText("/");
            return new PodRuntime.Probe.HttpGet(port(h.path("port"), c), path.startsWith("/") ? path : "/" + path);
        }
        if (rp.has("tcpSocket")) {
            return new PodRuntime.Probe.TcpSocket(port(rp.get("tcpSocket").path("port"), c));
        }
        if (rp.has("exec")) {
            List<String> cmd = new ArrayList<>();
            rp.get("exec").path("command").forEach(x -> cmd.add(x.asText()));
            return new PodRuntime.Probe.Exec(cmd);
        }
        return null;
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    static int port(JsonNode port, JsonNode c) {
        if (port.isInt() || port.isTextual() && port.asText().matches("\\d+")) {
            return port.asInt();
        }
        for (JsonNode p : c.path("ports")) {
            if (port.asText().equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        return -1;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
