package io.github.e2ekit.e2e.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.e2ekit.e2e.ledger.ClusterEntry;
import io.github.e2ekit.e2e.ledger.EndpointEntry;
import io.github.e2ekit.e2e.ledger.ImageEntry;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.LedgerData;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.ledger.PortForwardEntry;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the run report ({@code target/e2e/report.json}) at the end of every goal, success or failure. Everything
 * but the goals is derived from the ledger as it is on disk (every change is written at once, and teardown may
 * have used its own copy); the goals — time and outcome — are kept in the report itself, carried over from the
 * previous report of the same run. The report is never read back by the plugin.
 */
public final class RunReports {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    public static final String FILE = "report.json";

    private final Path workDirectory;
    private final Clock clock;
    private final AtomicFiles files;

    /** Reports in {@code workDirectory} written through {@code files} (the run's). */
    public RunReports(Path workDirectory, Clock clock, AtomicFiles files) {
        this.workDirectory = workDirectory;
        this.clock = clock;
        this.files = files;
    }

    /**
     * Writes the report after a goal through {@code files}; a report that cannot be written is said through
     * {@code warn}, never fatal.
     */
    public static void finished(
            Path workDirectory,
            AtomicFiles files,
            String goal,
            long tookNanos,
            String failure,
            java.util.function.Consumer<String> warn) {
        String why = new RunReports(workDirectory, Clock.systemUTC(), files)
                .goalFinished(goal, Duration.ofNanos(tookNanos), failure);
        if (why != null) {
            warn.accept("e2e: " + why);
        }
    }

    public Path file() {
        return workDirectory.resolve(FILE);
    }

    /**
     * {@code goal} finished after {@code took}, failed with the one-line {@code failure} (null: succeeded): the
     * report is written again. Never throws: a report that cannot be written is said through the return value.
     *
     * @return null, or why the report could not be written
     */
    public String goalFinished(String goal, Duration took, String failure) {
        return rewrite(goal, took, failure == null ? "success" : "failure", goal, failure);
    }

    /**
     * The build was interrupted (SIGINT, SIGTERM) {@code during} a goal that never finished (null: between goals, e.g.
     * in the integration tests), after {@code last}, the e2e goal that ran last: the report is written again from the
     * ledger as the exit-time teardown left it, with the goal {@code interrupted} and a failure saying so, instead of
     * showing what the last finished goal saw. Never throws.
     *
     * @return null, or why the report could not be written
     */
    public String interrupted(String during, String last, Duration took) {
        String message = "build interrupted (SIGINT or SIGTERM) "
                + (during != null ? "during " + during : "after " + last + ", before the build ended");
        return rewrite(during, took, "interrupted", during != null ? during : last, message);
    }

    /** Writes the report from the ledger, adding {@code goal} (null: none) with {@code outcome}. */
    private String rewrite(String goal, Duration took, String outcome, String failedGoal, String failure) {
        try {
            Path ledgerFile = workDirectory.resolve("ledger.json");
            LedgerData d = Files.exists(ledgerFile) ? Ledger.open(ledgerFile).read(x -> x) : new LedgerData();
            RunReport report = from(d);
            RunReport previous = previous();
            if (previous != null && Objects.equals(previous.run, report.run)) {
                report.goals.addAll(previous.goals);
                report.failure = previous.failure;
            }
            String now = clock.instant().toString();
            if (goal != null) {
                RunReport.Goal g = new RunReport.Goal();
                g.goal = goal;
                g.finished = now;
                g.seconds = Math.round(took.toMillis() / 10.0) / 100.0;
                g.outcome = outcome;
                g.failure = failure == null ? null : oneLine(failure);
                report.goals.add(g);
            }
            if (failure != null && report.failure == null) {
                report.failure = new RunReport.Failure();
                report.failure.goal = failedGoal;
                report.failure.message = oneLine(failure);
                report.failure.text = failure.strip().equals(oneLine(failure)) ? null : failure.strip();
            }
            report.written = now;
            write(report);
            return null;
        } catch (IOException | RuntimeException e) {
            return "the run report " + file() + " could not be written: " + e.getMessage();
        }
    }

    private RunReport previous() {
        Path f = file();
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return JSON.readValue(f.toFile(), RunReport.class);
        } catch (IOException e) {
            return null; // a report this version cannot read is written anew
        }
    }

    private void write(RunReport report) throws IOException {
        files.write(file(), tmp -> JSON.writeValue(tmp.toFile(), report));
    }

    /** The facts a ledger holds, as the report shows them (goals and failure excepted). */
    static RunReport from(LedgerData d) {
        RunReport r = new RunReport();
        r.run = d.run;
        r.service = d.service;
        r.started = d.started;
        ClusterEntry c = d.cluster;
        Set<String> nodes = new LinkedHashSet<>();
        if (c != null) {
            r.cluster = new RunReport.Cluster();
            r.cluster.name = c.name;
            r.cluster.provider = c.provider;
            r.cluster.state = String.valueOf(c.state);
            r.cluster.kubeconfig = c.kubeconfig;
            if (c.nodes != null) {
                nodes.addAll(c.nodes);
            }
        }
        Set<NodeImageEntry> matched = new LinkedHashSet<>();
        for (ImageEntry e : d.images) {
            RunReport.Image i = new RunReport.Image();
            i.id = e.id;
            i.service = d.service;
            i.reference = e.reference;
            i.tag = e.tag;
            i.imageId = e.imageId;
            i.sourceDigest = e.digest;
            i.built = e.built;
            i.state = String.valueOf(e.state);
            for (NodeImageEntry n : d.nodeImages) {
                if (sameImage(e, n)) {
                    i.nodes.add(nodeImage(n));
                    matched.add(n);
                }
            }
            d.pushes.stream()
                    .filter(p -> Objects.equals(p.id, e.id))
                    .reduce((a, b) -> b)
                    .ifPresent(p -> {
                        i.registry = registry(p);
                    });
            r.images.add(i);
        }
        for (NodeImageEntry n : d.nodeImages) {
            nodes.add(n.node);
            if (!matched.contains(n)) {
                r.preloaded.add(nodeImage(n));
            }
        }
        for (ObjectEntry o : d.objects) {
            if ("Namespace".equals(o.kind) && o.namespace == null && r.namespace == null) {
                r.namespace = new RunReport.Namespace(o.name, String.valueOf(o.state), !o.patched);
            }
            r.objects.add(new RunReport.KubeObject(
                    o.apiVersion, o.kind, o.namespace, o.name, String.valueOf(o.state), o.patched));
        }
        r.endpoints.addAll(d.endpoints);
        for (PortForwardEntry p : d.portForwards) {
            if (d.endpoints.stream().noneMatch(e -> Objects.equals(e.name, p.endpoint))) {
                EndpointEntry e = new EndpointEntry();
                e.name = p.endpoint;
                e.property = "e2e.endpoint." + p.endpoint + ".url";
                e.url = "http://127.0.0.1:" + p.localPort;
                e.via = "port-forward to pod " + p.pod;
                r.endpoints.add(e);
            }
        }
        r.proofs.addAll(d.proofs);
        r.environment = d.environment;
        r.environmentReason = d.environmentReason;
        d.proofs.forEach(p -> {
            if (p.node != null) {
                nodes.add(p.node);
            }
        });
        r.nodes.addAll(nodes);
        return r;
    }

    /** A node entry belongs to an image when it names the same image ID (node names may differ: {@code localhost/…}). */
    private static boolean sameImage(ImageEntry e, NodeImageEntry n) {
        if (e.imageId != null && n.imageId != null) {
            return strip(e.imageId).equals(strip(n.imageId));
        }
        return Objects.equals(e.reference, n.reference);
    }

    private static String strip(String id) {
        return id.startsWith("sha256:") ? id.substring(7) : id;
    }

    private static RunReport.NodeImage nodeImage(NodeImageEntry n) {
        return new RunReport.NodeImage(n.node, n.reference, n.imageId, n.action, String.valueOf(n.state));
    }

    private static RunReport.Registry registry(PushEntry p) {
        return new RunReport.Registry(p.reference, p.digest, p.pinned(), String.valueOf(p.state));
    }

    private static String oneLine(String message) {
        String s = message.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }

    /** For tests and tools: reads a report. */
    public static RunReport read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), RunReport.class);
    }
}
