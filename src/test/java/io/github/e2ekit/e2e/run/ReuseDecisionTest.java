package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.run.ReuseDecision.Environment;
import io.github.e2ekit.e2e.run.ReuseDecision.Inputs;
import io.github.e2ekit.e2e.run.ReuseDecision.NamespaceState;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReuseDecisionTest {
    private static final EnvironmentKey KEY =
            new EnvironmentKey("gateway", "/src/a/gateway", "c-e2e", "https://127.0.0.1:40001");

    private static ReuseRecord record(EnvironmentKey key) {
        ReuseRecord r = new ReuseRecord();
        r.service = key.service();
        r.basedir = key.basedir();
        r.cluster = key.cluster();
        r.server = key.server();
        r.namespace = "e2e-gateway-0123abcd";
        r.run = "r1";
        r.pluginVersion = "0.1.0";
        r.images.put("app", "sha256:aaa");
        r.images.put("db", "sha256:ddd");
        r.manifestsHash = "sha256:m1";
        return r;
    }

    private static Inputs same() {
        return new Inputs(
                "e2e-gateway-0123abcd", Map.of("app", "sha256:aaa", "db", "sha256:ddd"), "sha256:m1", "0.1.0");
    }

    @Test
    void sameInputsReuseTheEnvironment() {
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), same(), NamespaceState.OURS);
        assertThat(d.environment()).isEqualTo(Environment.REUSED);
        assertThat(d.applies()).isFalse();
    }

    @Test
    void aChangedImageRollsOnlyWhatUsesItAndNamesIt() {
        Inputs now = new Inputs(
                "e2e-gateway-0123abcd", Map.of("app", "sha256:bbb", "db", "sha256:ddd"), "sha256:m1", "0.1.0");
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), now, NamespaceState.OURS);
        assertThat(d.environment()).isEqualTo(Environment.ROLLED);
        assertThat(d.reason()).isEqualTo("image(s) changed: app");
        assertThat(d.applies()).isTrue();
    }

    @Test
    void anImageDroppedFromTheConfigurationCountsAsChanged() {
        Inputs now = new Inputs("e2e-gateway-0123abcd", Map.of("app", "sha256:aaa"), "sha256:m1", "0.1.0");
        assertThat(ReuseDecision.decide(KEY, record(KEY), now, NamespaceState.OURS)
                        .reason())
                .isEqualTo("image(s) changed: db");
    }

    @Test
    void changedManifestsAreReapplied() {
        Inputs now = new Inputs(
                "e2e-gateway-0123abcd", Map.of("app", "sha256:bbb", "db", "sha256:ddd"), "sha256:m2", "0.1.0");
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), now, NamespaceState.OURS);
        assertThat(d.environment()).isEqualTo(Environment.REAPPLIED);
    }

    @Test
    void aDeletedNamespaceIsRebuiltSayingWhy() {
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), same(), NamespaceState.ABSENT);
        assertThat(d.environment()).isEqualTo(Environment.REBUILT);
        assertThat(d.reason()).isEqualTo("namespace e2e-gateway-0123abcd is gone");
    }

    @Test
    void aNamespaceBeingDeletedOrNotOursIsRebuilt() {
        assertThat(ReuseDecision.decide(KEY, record(KEY), same(), NamespaceState.TERMINATING)
                        .environment())
                .isEqualTo(Environment.REBUILT);
        assertThat(ReuseDecision.decide(KEY, record(KEY), same(), NamespaceState.OTHER)
                        .environment())
                .isEqualTo(Environment.REBUILT);
    }

    @Test
    void anotherNamespaceRebuilds() {
        Inputs now = new Inputs("mine", same().images(), "sha256:m1", "0.1.0");
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), now, NamespaceState.ABSENT);
        assertThat(d.environment()).isEqualTo(Environment.REBUILT);
        assertThat(d.reason()).isEqualTo("the namespace changed (e2e-gateway-0123abcd → mine)");
    }

    @Test
    void anotherPluginVersionRebuilds() {
        Inputs now = new Inputs("e2e-gateway-0123abcd", same().images(), "sha256:m1", "0.2.0");
        ReuseDecision d = ReuseDecision.decide(KEY, record(KEY), now, NamespaceState.OURS);
        assertThat(d.environment()).isEqualTo(Environment.REBUILT);
        assertThat(d.reason()).contains("0.1.0 → 0.2.0");
    }

    @Test
    void aRecordFromAnotherLocationIsNotUsed() {
        EnvironmentKey otherCheckout =
                new EnvironmentKey("gateway", "/src/b/gateway", "c-e2e", "https://127.0.0.1:40001");
        ReuseDecision d = ReuseDecision.decide(KEY, record(otherCheckout), same(), NamespaceState.ABSENT);
        assertThat(d.environment()).isEqualTo(Environment.NEW);
    }

    @Test
    void aRecordOfAnotherApiServerIsNotUsed() {
        EnvironmentKey recreated = new EnvironmentKey("gateway", "/src/a/gateway", "c-e2e", "https://127.0.0.1:40002");
        assertThat(ReuseDecision.decide(KEY, record(recreated), same(), NamespaceState.ABSENT)
                        .environment())
                .isEqualTo(Environment.NEW);
    }

    @Test
    void noRecordButOurNamespaceIsRebuilt() {
        assertThat(ReuseDecision.decide(KEY, null, same(), NamespaceState.OURS).environment())
                .isEqualTo(Environment.REBUILT);
        assertThat(ReuseDecision.decide(KEY, null, same(), NamespaceState.ABSENT)
                        .environment())
                .isEqualTo(Environment.NEW);
    }
}
