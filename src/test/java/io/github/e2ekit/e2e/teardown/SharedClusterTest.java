package io.github.e2ekit.e2e.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.kind.ClusterUsers;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.ledger.ClusterEntry;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parallel modules share one cluster: the creator's teardown never deletes it under the others. */
class SharedClusterTest {
    @TempDir
    Path dir;

    private Ledger run(String run, EntryState clusterState) {
        Ledger l = Ledger.start(dir.resolve(run + ".json"), run, run);
        l.update(d -> {
            d.cluster = new ClusterEntry();
            d.cluster.name = "shared";
            d.cluster.kubeconfig = dir.resolve("kubeconfig").toString();
            d.cluster.state = clusterState;
        });
        new ClusterUsers(dir.resolve("locks"), "shared").join(run);
        return l;
    }

    @Test
    void theCreatorLeavesTheClusterToTheLastUserWhoDeletesIt() throws Exception {
        Engine engine = TestEngine.require();
        Path kind = dir.resolve("kind");
        Files.writeString(kind, "#!/bin/sh\necho \"$KIND_EXPERIMENTAL_PROVIDER $*\" >> " + dir.resolve("calls") + "\n");
        Files.setPosixFilePermissions(kind, PosixFilePermissions.fromString("rwx------"));
        KindCli cli = new KindCli(kind.toString(), EngineKind.DOCKER);
        Ledger creator = run("aaaa0001", EntryState.CREATED);
        Ledger other = run("aaaa0002", EntryState.REUSED);

        TeardownReport first = new Teardown(engine, creator)
                .withClusterUsers(dir.resolve("locks"))
                .withLocks(new SharedWork(dir.resolve("locks")))
                .run(null, RemoveImages.NONE, ClusterDeletion.IF_CREATED, cli);
        assertThat(first.kept())
                .containsExactly("cluster shared (still used by 1 other run(s); the last one deletes it)");
        assertThat(dir.resolve("calls")).doesNotExist();

        TeardownReport last = new Teardown(engine, other)
                .withClusterUsers(dir.resolve("locks"))
                .withLocks(new SharedWork(dir.resolve("locks")))
                .run(null, RemoveImages.NONE, ClusterDeletion.IF_CREATED, cli);
        assertThat(last.removed()).containsExactly("cluster shared");
        assertThat(Files.readAllLines(dir.resolve("calls")))
                .containsExactly("docker delete cluster --name shared --kubeconfig " + dir.resolve("kubeconfig"));
        assertThat(new ClusterUsers(dir.resolve("locks"), "shared").deletionPending(false))
                .isFalse();
    }

    @Test
    void usersWhoseProcessIsGoneDoNotCount() throws Exception {
        ClusterUsers users = new ClusterUsers(dir.resolve("locks"), "c");
        users.join("live");
        Files.writeString(dir.resolve("locks/c.users/dead"), "999999999");
        assertThat(users.others()).containsExactly("live");
        assertThat(users.leave("live")).isEmpty();
    }
}
