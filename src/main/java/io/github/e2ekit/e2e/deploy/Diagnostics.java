package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.Yaml;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes what a person needs to see why a deployment failed, on disk for CI artifacts:
 * {@code <dir>/<namespace>/events.txt} (time-sorted), {@code pods/<pod>.yaml}, {@code logs/<pod>.<container>[.previous].log}
 * (last 200 lines), and {@code workloads.yaml}.
 */
public final class Diagnostics {
    private static final int LOG_LINES = 200;
    private final KubeApi api;

    public Diagnostics(KubeApi api) {
        this.api = api;
    }

    /** Collects into {@code dir/<namespace>}; never throws (diagnostics must not hide the original failure). */
    public Path collect(Path dir, String namespace, List<AppliedObject> workloads) {
        Path out = dir.resolve(namespace);
        try {
            Files.createDirectories(out.resolve("pods"));
            Files.createDirectories(out.resolve("logs"));
            writeEvents(namespace, out);
            for (V1Pod p : api.listPods(namespace, null)) {
                String pod = p.getMetadata().getName();
                Files.writeString(out.resolve("pods").resolve(pod + ".yaml"), Yaml.dump(p));
                List<V1Container> containers = new ArrayList<>();
                if (p.getSpec() != null) {
                    containers.addAll(p.getSpec().getContainers());
                    if (p.getSpec().getInitContainers() != null) {
                        containers.addAll(p.getSpec().getInitContainers());
                    }
                }
                for (V1Container c : containers) {
                    writeLog(namespace, pod, c.getName(), false, out);
                    writeLog(namespace, pod, c.getName(), true, out);
                }
            }
            StringBuilder w = new StringBuilder();
            for (AppliedObject o : workloads) {
                var r = api.resource(o.apiVersion(), o.kind());
                var dyn = api.api(r, o.manifest().version());
                KubernetesApiResponse<DynamicKubernetesObject> got = api.call(
                        "read " + o.describe(),
                        () -> o.namespace() == null ? dyn.get(o.name()) : dyn.get(o.namespace(), o.name()));
                if (got.isSuccess()) {
                    w.append("# ")
                            .append(o.describe())
                            .append('\n')
                            .append(got.getObject().getRaw().toString())
                            .append("\n---\n");
                }
            }
            Files.writeString(out.resolve("workloads.yaml"), w.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write diagnostics to " + out, e);
        } catch (RuntimeException e) {
            try {
                Files.writeString(out.resolve("collection-error.txt"), "diagnostics incomplete: " + e + "\n");
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
        return out;
    }

    private void writeEvents(String namespace, Path out) throws IOException {
        List<CoreV1Event> events = new ArrayList<>(api.listEvents(namespace));
        events.sort(Comparator.comparing(Diagnostics::time, Comparator.nullsFirst(Comparator.naturalOrder())));
        StringBuilder s = new StringBuilder();
        for (CoreV1Event e : events) {
            s.append(time(e))
                    .append("  ")
                    .append(e.getType())
                    .append("  ")
                    .append(e.getReason())
                    .append("  ")
                    .append(e.getInvolvedObject().getKind())
                    .append('/')
                    .append(e.getInvolvedObject().getName())
                    .append("  ")
                    .append(e.getMessage())
                    .append('\n');
        }
        Files.writeString(out.resolve("events.txt"), s.toString());
    }

    private static OffsetDateTime time(CoreV1Event e) {
        if (e.getLastTimestamp() != null) {
            return e.getLastTimestamp();
        }
        if (e.getEventTime() != null) {
            return e.getEventTime();
        }
        return e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp();
    }

    private void writeLog(String ns, String pod, String container, boolean previous, Path out) {
        try {
            String log = api.podLog(ns, pod, container, previous, LOG_LINES).orElse(null);
            if (log != null && !log.isEmpty()) {
                Files.writeString(
                        out.resolve("logs").resolve(pod + "." + container + (previous ? ".previous" : "") + ".log"),
                        log);
            }
        } catch (RuntimeException | IOException e) {
            // no log (container never started, or no previous instance): nothing to write
        }
    }
}
