package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReuseStoreTest {
    @TempDir
    Path dir;

    private ReuseRecord record(EnvironmentKey key) {
        ReuseRecord r = new ReuseRecord();
        r.service = key.service();
        r.basedir = key.basedir();
        r.cluster = key.cluster();
        r.server = key.server();
        r.namespace = key.defaultNamespace();
        return r;
    }

    @Test
    void twoCheckoutsOfTheSameServiceNeverShareAnEnvironment() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/gateway"));
        Path b = Files.createDirectories(dir.resolve("b/gateway"));
        EnvironmentKey ka = EnvironmentKey.of("gateway", a, "c", "https://127.0.0.1:1");
        EnvironmentKey kb = EnvironmentKey.of("gateway", b, "c", "https://127.0.0.1:1");
        assertThat(ka.hash()).isNotEqualTo(kb.hash());
        assertThat(ka.defaultNamespace()).isNotEqualTo(kb.defaultNamespace());
        ReuseStore store = new ReuseStore(dir.resolve("store"));
        store.save(record(ka));
        assertThat(store.find(ka)).isPresent();
        assertThat(store.find(kb)).isEmpty();
        assertThat(store.ofProject("gateway", a)).containsExactly(store.directory(ka));
        assertThat(store.ofProject("gateway", b)).isEmpty();
    }

    @Test
    void aSymlinkedCheckoutIsTheSameCheckout() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real/gateway"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real.getParent());
        assertThat(EnvironmentKey.of("gateway", link.resolve("gateway"), "c", "s"))
                .isEqualTo(EnvironmentKey.of("gateway", real, "c", "s"));
    }

    @Test
    void aRecordCopiedFromAnotherKeysDirectoryIsNotUsed() throws Exception {
        EnvironmentKey mine = new EnvironmentKey("gateway", "/a", "c", "s");
        EnvironmentKey other = new EnvironmentKey("gateway", "/b", "c", "s");
        ReuseStore store = new ReuseStore(dir);
        store.save(record(other));
        Files.createDirectories(store.directory(mine));
        Files.copy(
                store.directory(other).resolve("record.json"),
                store.directory(mine).resolve("record.json"));
        assertThat(store.find(mine)).isEmpty();
    }

    @Test
    void theUsersStoreIsUnderXdgCacheHomeElseHomeCache() {
        assertThat(ReuseStore.forUser(Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/u", new AtomicFiles())
                        .directory("k"))
                .isEqualTo(Path.of("/x/cache/e2e-maven-plugin/reuse/k"));
        assertThat(ReuseStore.forUser(Map.of("XDG_CACHE_HOME", "relative"), "/home/u", new AtomicFiles())
                        .directory("k"))
                .isEqualTo(Path.of("/home/u/.cache/e2e-maven-plugin/reuse/k"));
    }

    @Test
    void aHandedOverLedgerIsNoLongerLiveButItsCopyIs() {
        Ledger ledger = Ledger.start(dir.resolve("target/ledger.json"), "r1", "gateway");
        ledger.images().intend("app", "app:t", "t", "ab", null, null).confirm();
        Path to = dir.resolve("store/k/ledger-r1.json");
        ledger.handOver(to);
        assertThat(Ledger.open(dir.resolve("target/ledger.json")).<Boolean>read(d -> d.hasLiveEntries()))
                .isFalse();
        assertThat(Ledger.open(to).<Boolean>read(d -> d.hasLiveEntries())).isTrue();
        assertThat(Ledger.open(to).<String>read(d -> d.keptFor)).isNull();
    }
}
