package io.github.e2ekit.e2e.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.ledger.ClusterRecord;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectRecords;
import io.github.e2ekit.e2e.ledger.ProofEntry;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.ledger.PushRecords;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportsTest {
    private static final String BUILT = "sha256:" + "b1".repeat(32);
    private static final String DB = "sha256:" + "d2".repeat(32);
    private static final String SOURCES = "c1".repeat(32);

    @TempDir
    Path dir;

    private RunReports reports() {
        return new RunReports(
                dir, Clock.fixed(Instant.parse("2026-12-06T15:00:00Z"), ZoneOffset.UTC), new AtomicFiles());
    }

    /** A run as tag, build, load and deploy leave it in the ledger. */
    private Ledger deployedRun(String run) {
        Ledger ledger = Ledger.start(dir.resolve("ledger.json"), run, "gateway");
        ledger.images().intend("datastorage", "localhost/it/datastorage:gateway-c1", "gateway-c1", SOURCES, null, "x");
        ledger.images()
                .intend("postgres", "localhost/it/postgres:gateway-d2", "gateway-d2", "d2".repeat(32), null, "x");
        ledger.images().built("datastorage", BUILT);
        ledger.images().upToDate("postgres", DB);
        ClusterRecord.ready(
                ledger.cluster().intend("it", "docker", true), false, "/k", List.of("it-control-plane", "it-worker"));
        ledger.nodeImages()
                .intend("it", "it-control-plane", "localhost/it/datastorage:gateway-c1", BUILT, "imported")
                .confirm();
        ledger.nodeImages().present("it", "it-worker", "localhost/it/datastorage:gateway-c1", "b1".repeat(32));
        ledger.nodeImages()
                .intend("it", "it-worker", "docker.io/library/redis:7", "sha256:" + "7e".repeat(32), "imported")
                .confirm();
        ObjectRecords.created(ledger.objects().intend("v1", "Namespace", null, "e2e-gateway-" + run), "u1");
        ObjectRecords.created(ledger.objects().intend("apps/v1", "Deployment", "e2e-gateway-" + run, "ds"), "u2");
        ledger.portForwards().opened("datastorage", "e2e-gateway-" + run, "ds-1", 41234, 8080);
        ProofEntry p = new ProofEntry();
        p.image = "datastorage";
        p.pod = "ds-1";
        p.node = "it-worker";
        p.reported = "docker.io/library/import-2026-12-06@sha256:" + "3a".repeat(32);
        p.resolved = BUILT;
        p.expected = BUILT;
        p.verdict = ProofEntry.FRESH;
        ledger.facts().proofs(List.of(p));
        return ledger;
    }

    @Test
    void theReportShowsImagesPerNodeTheNamespaceObjectsEndpointsAndProofsFromTheLedger() throws Exception {
        deployedRun("r1");
        assertThat(reports().goalFinished("deploy", Duration.ofMillis(2345), null))
                .isNull();
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.run).isEqualTo("r1");
        assertThat(r.cluster.name).isEqualTo("it");
        assertThat(r.cluster.state).isEqualTo("REUSED");
        assertThat(r.nodes).containsExactly("it-control-plane", "it-worker");
        RunReport.Image ds = r.images.get(0);
        assertThat(ds.id).isEqualTo("datastorage");
        assertThat(ds.service).isEqualTo("gateway");
        assertThat(ds.imageId).isEqualTo(BUILT);
        assertThat(ds.sourceDigest).isEqualTo(SOURCES);
        assertThat(ds.built).isTrue();
        assertThat(ds.nodes)
                .extracting(n -> n.node() + " " + n.action() + " " + n.state())
                .containsExactly("it-control-plane imported CREATED", "it-worker present REUSED");
        assertThat(r.images.get(1).built).isFalse();
        assertThat(r.images.get(1).state).isEqualTo("REUSED");
        assertThat(r.preloaded).extracting(RunReport.NodeImage::reference).containsExactly("docker.io/library/redis:7");
        assertThat(r.namespace.name()).isEqualTo("e2e-gateway-r1");
        assertThat(r.namespace.created()).isTrue();
        assertThat(r.objects)
                .extracting(o -> o.kind() + " " + o.state())
                .containsExactly("Namespace CREATED", "Deployment CREATED");
        assertThat(r.endpoints).singleElement().satisfies(e -> {
            assertThat(e.property).isEqualTo("e2e.endpoint.datastorage.url");
            assertThat(e.url).isEqualTo("http://127.0.0.1:41234");
        });
        assertThat(r.proofs)
                .singleElement()
                .satisfies(p -> assertThat(p.verdict).isEqualTo("fresh"));
        assertThat(r.goals).singleElement().satisfies(g -> {
            assertThat(g.goal).isEqualTo("deploy");
            assertThat(g.seconds).isEqualTo(2.35);
            assertThat(g.outcome).isEqualTo("success");
        });
        assertThat(r.failure).isNull();
    }

    @Test
    void goalsOfTheSameRunAccumulateAndTheFirstFailureIsKeptInOneLine() throws Exception {
        Ledger ledger = deployedRun("r1");
        reports().goalFinished("tag", Duration.ofSeconds(1), null);
        reports().goalFinished("deploy", Duration.ofSeconds(3), "STALE: pod ds-1 runs x\n  at somewhere");
        ledger.objects().live().forEach(Recorded::removed);
        reports().goalFinished("teardown", Duration.ofSeconds(2), "teardown could not remove 1 thing(s)");
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.goals)
                .extracting(g -> g.goal + " " + g.outcome)
                .containsExactly("tag success", "deploy failure", "teardown failure");
        assertThat(r.failure.goal).isEqualTo("deploy");
        assertThat(r.failure.message).isEqualTo("STALE: pod ds-1 runs x");
        assertThat(r.failure.text).isEqualTo("STALE: pod ds-1 runs x\n  at somewhere");
        assertThat(r.goals.get(1).failure).isEqualTo("STALE: pod ds-1 runs x");
        assertThat(r.objects).extracting(RunReport.KubeObject::state).containsOnly("REMOVED");
        assertThat(r.namespace.state()).isEqualTo("REMOVED");
    }

    @Test
    void anInterruptDuringAGoalIsThatGoalsOutcomeAndTheRunsFailureWithWhatTheExitTeardownLeft() throws Exception {
        Ledger ledger = deployedRun("r1");
        reports().goalFinished("deploy", Duration.ofSeconds(3), null);
        ledger.objects().live().forEach(Recorded::removed);
        assertThat(reports().interrupted("teardown", "teardown", Duration.ofSeconds(2)))
                .isNull();
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.goals)
                .extracting(g -> g.goal + " " + g.outcome)
                .containsExactly("deploy success", "teardown interrupted");
        assertThat(r.failure.goal).isEqualTo("teardown");
        assertThat(r.failure.message).isEqualTo("build interrupted (SIGINT or SIGTERM) during teardown");
        assertThat(r.namespace.state()).isEqualTo("REMOVED");
    }

    @Test
    void anInterruptBetweenGoalsAddsNoGoalAndNamesTheLastOne() throws Exception {
        deployedRun("r1");
        reports().goalFinished("deploy", Duration.ofSeconds(3), null);
        reports().interrupted(null, "deploy", Duration.ofSeconds(40));
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.goals).extracting(g -> g.goal + " " + g.outcome).containsExactly("deploy success");
        assertThat(r.failure.goal).isEqualTo("deploy");
        assertThat(r.failure.message)
                .isEqualTo("build interrupted (SIGINT or SIGTERM) after deploy, before the build ended");
    }

    @Test
    void aNewRunStartsItsOwnGoals() throws Exception {
        deployedRun("r1");
        reports().goalFinished("deploy", Duration.ofSeconds(3), "failed");
        deployedRun("r2");
        reports().goalFinished("tag", Duration.ofSeconds(1), null);
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.run).isEqualTo("r2");
        assertThat(r.goals).extracting(g -> g.goal).containsExactly("tag");
        assertThat(r.failure).isNull();
    }

    @Test
    void aGoalThatFailsBeforeAnyLedgerStillLeavesAReport() throws Exception {
        assertThat(reports().goalFinished("build", Duration.ZERO, "<images><image><name> is missing"))
                .isNull();
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.failure.goal).isEqualTo("build");
        assertThat(r.failure.text).as("one line: no text beside it").isNull();
        assertThat(r.images).isEmpty();
        assertThat(Files.exists(dir.resolve("ledger.json"))).isFalse();
    }

    @Test
    void registryModeShowsTheRegistryDigestAndThePinnedReference() throws Exception {
        Ledger ledger = deployedRun("r1");
        Recorded<PushEntry> p = ledger.pushes()
                .intend("datastorage", "127.0.0.1:5000/e2e", "127.0.0.1:5000/e2e/datastorage:gateway-c1", BUILT);
        p.confirm();
        PushRecords.pushed(p, "sha256:" + "6e".repeat(32));
        reports().goalFinished("load", Duration.ofSeconds(1), null);
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.images.get(0).registry.digest()).isEqualTo("sha256:" + "6e".repeat(32));
        assertThat(r.images.get(0).registry.pinned())
                .isEqualTo("127.0.0.1:5000/e2e/datastorage:gateway-c1@sha256:" + "6e".repeat(32));
        assertThat(r.images.get(1).registry).isNull();
    }

    @Test
    void anEndpointRecordedByDeployWinsOverThePortForwardItWasMadeFrom() throws Exception {
        Ledger ledger = deployedRun("r1");
        ledger.facts().endpoint("datastorage", "http://127.0.0.1:41234", "port-forward to pod ds-1");
        ledger.facts().endpoint("nodeport", "http://127.0.0.1:30080", "NodePort");
        reports().goalFinished("deploy", Duration.ofSeconds(1), null);
        RunReport r = RunReports.read(dir.resolve("report.json"));
        assertThat(r.endpoints)
                .extracting(e -> e.name + " " + e.via)
                .containsExactly("datastorage port-forward to pod ds-1", "nodeport NodePort");
    }

    @Test
    void anUnwritableReportIsSaidNotThrown() throws Exception {
        Files.writeString(dir.resolve("blocker"), "a file");
        RunReports blocked = new RunReports(dir.resolve("blocker"), Clock.systemUTC(), new AtomicFiles());
        assertThat(blocked.goalFinished("tag", Duration.ZERO, null)).contains("could not be written");
    }
}
