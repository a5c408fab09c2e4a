package io.github.e2ekit.e2e.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger written before the named transitions (the IT tag-build-load's ledger.json, with objects, a push and a
 * port-forward in the same format) is still read, and writing it again keeps every field it had.
 */
class LedgerCompatibilityTest {
    @TempDir
    Path dir;

    private Path earlier() throws Exception {
        Path file = dir.resolve("ledger.json");
        try (InputStream in = getClass().getResourceAsStream("ledger-before-transitions.json")) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void aLedgerOfTheEarlierFormatIsReadWithEveryEntryAndItsState() throws Exception {
        Ledger ledger = Ledger.open(earlier());
        LedgerData d = ledger.read(x -> x);
        assertThat(d.run).isEqualTo("3a1ef926");
        assertThat(d.image("datastorage").orElseThrow().imageId).startsWith("sha256:a9e24c77");
        assertThat(d.nodeImages.get(0).sideReferences).hasSize(2);
        assertThat(d.push("datastorage").orElseThrow().pinned()).endsWith("@sha256:" + "6e".repeat(32));
        assertThat(d.cluster.state).isEqualTo(EntryState.REUSED);
        assertThat(d.cluster.nodes).isNull();
        assertThat(d.objects.stream().map(o -> o.kind + "/" + o.state).toList())
                .containsExactly("Namespace/CREATED", "Deployment/CREATED");
        assertThat(d.portForwards.get(0).localPort).isEqualTo(41234);
        assertThat(d.proofs).isEmpty();
        assertThat(d.endpoints).isEmpty();
        assertThat(ledger.objects().live()).hasSize(2);
    }

    @Test
    void writingAnEarlierLedgerAgainKeepsEveryFieldItHad() throws Exception {
        Path file = earlier();
        JsonNode before = Ledger.JSON.readTree(file.toFile());
        Ledger ledger = Ledger.open(file);
        ledger.update(d -> {});
        ObjectNode after = (ObjectNode) Ledger.JSON.readTree(file.toFile());
        assertThat(after.remove("proofs")).isEmpty();
        assertThat(after.remove("endpoints")).isEmpty();
        assertThat(after).isEqualTo(before);
    }
}
