package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.LedgerData;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to Debian's docker-registry on 127.0.0.1 (with htpasswd authentication) through Docker. */
class RegistryPushTest {
    @RegisterExtension
    static final PushFixture registry = new PushFixture("alice", "pa55-w0rd-secret");

    @TempDir
    Path work;

    private Engine engine;
    private TestImages images;
    private Ledger ledger;
    private final List<String> lines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        engine = registry.engine();
        images = registry.images();
        ledger = Ledger.open(work.resolve("ledger.json"));
    }

    private RegistryCredentials good() {
        return RegistryCredentials.password(registry.user(), registry.password(), "test settings");
    }

    private RegistryPush.Pushed push(PushFixture.Pushable p, RegistryCredentials credentials) {
        return new RegistryPush(engine, ledger).push("app", p.ref(), p.id(), p.target(), credentials, lines::add);
    }

    @Test
    void pushesTheExactImageAndPinsItByTheRegistrysDigest() {
        PushFixture.Pushable p = registry.pushable("app", registry.host() + "/team");
        ImageReference ref = p.ref();
        String id = p.id();

        RegistryPush.Pushed pushed = push(p, good());

        assertThat(pushed.reference()).isEqualTo(registry.host() + "/team/e2e-push/app-" + images.run() + ":t1");
        assertThat(pushed.digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(pushed.pinned()).isEqualTo(pushed.reference() + "@" + pushed.digest());
        // the engine records the same digest for the pushed name
        assertThat(engine.client().inspectImageCmd(id).exec().getRepoDigests())
                .contains(registry.host() + "/team/e2e-push/app-" + images.run() + "@" + pushed.digest());
        LedgerData d = ledger.read(x -> x);
        PushEntry entry = d.push("app").orElseThrow();
        assertThat(entry.digest).isEqualTo(pushed.digest());
        assertThat(entry.imageId).isEqualTo(id);
        assertThat(entry.state).isEqualTo(EntryState.CREATED);
        assertThat(String.join("\n", lines)).contains("user 'alice'").doesNotContain(registry.password());
        assertThat(ledger.file()).content().doesNotContain(registry.password());

        // what a node would pull by the pinned name is this very image
        engine.client().removeImageCmd(pushed.reference()).exec();
        engine.client().removeImageCmd(ref.toString()).exec();
        String pulledRef = registry.host() + "/team/e2e-push/app-" + images.run() + "@" + pushed.digest();
        registry.localTag(pulledRef);
        pull(pulledRef);
        assertThat(engine.client().inspectImageCmd(pulledRef).exec().getId()).isEqualTo(id);
    }

    private void pull(String pinned) {
        AuthConfig auth = new AuthConfig()
                .withRegistryAddress(registry.host())
                .withUsername(registry.user())
                .withPassword(registry.password());
        try {
            engine.client()
                    .pullImageCmd(pinned)
                    .withAuthConfig(auth)
                    .exec(new PullImageResultCallback())
                    .awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aRefusedPasswordIsOneLineThatNamesTheUserButNotThePassword() {
        PushFixture.Pushable p = registry.pushable("refused", registry.host());
        String wrong = "not-the-" + registry.password();

        assertThatThrownBy(() -> push(
                        p,
                        RegistryCredentials.password(
                                registry.user(), wrong, "settings.xml server '" + registry.host() + "'")))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("registry " + registry.host() + " refused the push with user 'alice' from"
                        + " settings.xml server '" + registry.host() + "'")
                .hasMessageContaining("<server><id>" + registry.host() + "</id>")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain("\n"));
        java.util.Optional<PushEntry> recorded = ledger.read(x -> x.push("app"));
        assertThat(recorded).isEmpty(); // not recorded as pushed
        assertThat(ledger.file()).content().doesNotContain(wrong);
    }

    @Test
    void noCredentialsForARegistryThatWantsThemIsRefused() {
        PushFixture.Pushable p = registry.pushable("anon", registry.host());

        assertThatThrownBy(() -> push(p, RegistryCredentials.anonymous()))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("registry " + registry.host() + " refused the push with no credentials");
    }

    @Test
    void anUnreachableRegistryIsSaidSo() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        PushFixture.Pushable p = registry.pushable("unreachable", "127.0.0.1:" + closed);

        assertThatThrownBy(() -> push(p, good()))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("registry 127.0.0.1:" + closed + " is unreachable (")
                .hasMessageContaining("check <load><registry>");
    }

    @Test
    void anImageReplacedSinceTheBuildIsNotPushed() {
        ImageReference ref = registry.local("replaced");
        String first = images.busybox(ref.toString(), "v1");
        images.busybox(ref.toString(), "v2"); // same tag, other image
        registry.localTag(first); // now untagged: removed by ID after the test
        RegistryTarget target = RegistryTarget.parse(registry.host());

        assertThatThrownBy(() -> new RegistryPush(engine, ledger).push("app", ref, first, target, good(), lines::add))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("but this run built " + first);
        List<PushEntry> pushes = ledger.read(x -> x.pushes);
        assertThat(pushes).isEmpty();
    }

    private boolean exists(String reference) {
        try {
            engine.client().inspectImageCmd(reference).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }

    @Test
    void teardownRemovesThePushTagItMadeAndLeavesOneItFoundInPlace() {
        PushFixture.Pushable made = registry.pushable("made", registry.host());
        RegistryPush.Pushed pushed = push(made, good());
        PushFixture.Pushable found = registry.pushable("found", registry.host());
        String foundAlias = found.target().referenceFor(found.ref()).toString();
        engine.client()
                .tagImageCmd(
                        found.id(),
                        ImageReference.parse(foundAlias).repository(),
                        ImageReference.parse(foundAlias).tag())
                .exec(); // the user's own name for the same image
        new RegistryPush(engine, ledger).push("found", found.ref(), found.id(), found.target(), good(), lines::add);
        List<PushEntry> entries = ledger.read(d -> d.pushes);
        assertThat(entries).extracting(e -> e.state).containsExactly(EntryState.CREATED, EntryState.REUSED);

        TeardownReport report = new Teardown(engine, ledger).run(null, RemoveImages.NONE, ClusterDeletion.NEVER, null);

        assertThat(report.failures()).isEmpty();
        assertThat(report.removed()).containsExactly("image tag " + pushed.reference());
        assertThat(report.kept()).anyMatch(k -> k.startsWith("pushed image " + pushed.pinned() + " in registry "));
        assertThat(exists(pushed.reference())).isFalse();
        assertThat(exists(made.ref().toString())).isTrue(); // only the extra name went
        assertThat(exists(foundAlias)).isTrue(); // not this run's to remove
        assertThat(ledger.read(LedgerData::hasLiveEntries)).isFalse();
    }

    @Test
    void aLocalRegistryNameHoldingAnotherImageIsNotMoved() {
        PushFixture.Pushable p = registry.pushable("taken", registry.host());
        String alias = p.target().referenceFor(p.ref()).toString();
        String other = images.busybox(alias, "another image");

        assertThatThrownBy(() -> push(p, good()))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("the local name " + alias + " already names another image (" + other + ")");
        assertThat(engine.client().inspectImageCmd(alias).exec().getId()).isEqualTo(other);
        List<PushEntry> pushes = ledger.read(x -> x.pushes);
        assertThat(pushes).isEmpty();
    }
}
