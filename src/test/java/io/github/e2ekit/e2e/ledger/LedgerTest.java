package io.github.e2ekit.e2e.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
    @TempDir
    Path dir;

    @Test
    void everyChangeIsOnDiskForALaterInvocation() {
        Path file = dir.resolve("e2e/ledger.json");
        Ledger ledger = Ledger.start(file, "abcd1234", "gateway");
        ledger.update(d -> {
            ImageEntry e = new ImageEntry();
            e.id = "datastorage";
            e.reference = "localhost/x/datastorage:gateway-0123";
            d.images.add(e);
        });
        Ledger again = Ledger.open(file);
        String run = again.read(d -> d.run);
        String reference = again.read(d -> d.image("datastorage").orElseThrow().reference);
        assertThat(run).isEqualTo("abcd1234");
        assertThat(reference).isEqualTo("localhost/x/datastorage:gateway-0123");
        assertThat(again.read(LedgerData::hasLiveEntries)).isTrue();
        assertThat(dir.resolve("e2e").toFile().list()).containsExactly("ledger.json");
    }

    @Test
    void removedEntriesAreNotLive() {
        Ledger ledger = Ledger.start(dir.resolve("l.json"), "r", "s");
        ledger.update(d -> {
            NodeImageEntry n = new NodeImageEntry();
            n.state = EntryState.REMOVED;
            d.nodeImages.add(n);
        });
        assertThat(Ledger.open(dir.resolve("l.json")).read(LedgerData::hasLiveEntries))
                .isFalse();
    }

    @Test
    void aCorruptLedgerIsReportedWithItsPath() throws Exception {
        Path file = dir.resolve("ledger.json");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> Ledger.open(file))
                .isInstanceOf(LedgerException.class)
                .hasMessageContaining(file.toString());
    }
}
