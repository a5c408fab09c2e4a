package io.github.e2ekit.e2e.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The run ledger ({@code target/e2e/ledger.json}): what this run decided and created. Every goal
 * records what it is about to create before creating it and confirms it after; teardown removes
 * exactly what is recorded. Each change is written atomically (temp file, then rename), so a
 * later Maven invocation can read it after an aborted build.
 *
 * <p>Callers change it through named transitions per kind of resource — {@code images()}, {@code nodeImages()},
 * {@code pushes()}, {@code cluster()}, {@code objects()}, {@code portForwards()} — each of which records an entry
 * before the action ({@code intend}) and returns a {@link Recorded} handle whose {@code confirm}, {@code reused},
 * {@code removed} and {@code forget} follow the action; {@code facts()} adds what is not a resource (freshness
 * proofs, endpoints) for the run report.
 */
public final class Ledger {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final Path file;
    private final LedgerData data;
    private final AtomicFiles files;

    private Ledger(Path file, LedgerData data, AtomicFiles files) {
        this.file = file;
        this.data = data;
        this.files = files;
    }

    /** {@link #open(Path, AtomicFiles)} with writes of its own (a tool's or a test's; a run passes its own). */
    public static Ledger open(Path file) {
        return open(file, new AtomicFiles());
    }

    /**
     * Reads the ledger at {@code file}, or starts an empty one (not written until the first change); changes are
     * written through {@code files}.
     */
    public static Ledger open(Path file, AtomicFiles files) {
        if (!Files.exists(file)) {
            return new Ledger(file, new LedgerData(), files);
        }
        try {
            return new Ledger(file, JSON.readValue(file.toFile(), LedgerData.class), files);
        } catch (IOException e) {
            throw new LedgerException(
                    "cannot read the run ledger " + file + ": " + e.getMessage()
                            + " (delete it if no run is in progress)",
                    e);
        }
    }

    /** {@link #start(Path, String, String, AtomicFiles)} with writes of its own (a tool's or a test's). */
    public static Ledger start(Path file, String run, String service) {
        return start(file, run, service, new AtomicFiles());
    }

    /**
     * Starts a new ledger for {@code run}, replacing an empty or fully removed one; it is written through
     * {@code files}.
     */
    public static Ledger start(Path file, String run, String service, AtomicFiles files) {
        LedgerData d = new LedgerData();
        d.run = run;
        d.service = service;
        d.started = Instant.now().toString();
        Ledger ledger = new Ledger(file, d, files);
        ledger.save();
        return ledger;
    }

    public Path file() {
        return file;
    }

    /** Reads a value under the ledger's lock. */
    public synchronized <T> T read(Function<LedgerData, T> reader) {
        return reader.apply(data);
    }

    public ImageRecords images() {
        return new ImageRecords(this);
    }

    public NodeImageRecords nodeImages() {
        return new NodeImageRecords(this);
    }

    public PushRecords pushes() {
        return new PushRecords(this);
    }

    public ClusterRecord cluster() {
        return new ClusterRecord(this);
    }

    public ObjectRecords objects() {
        return new ObjectRecords(this);
    }

    public PortForwardRecords portForwards() {
        return new PortForwardRecords(this);
    }

    public FactRecords facts() {
        return new FactRecords(this);
    }

    /** Records {@code entry} in {@code list} (after {@code before}, e.g. dropping what it replaces), written at once. */
    <E extends LedgerEntry> Recorded<E> add(Function<LedgerData, List<E>> list, E entry, Consumer<LedgerData> before) {
        update(d -> {
            before.accept(d);
            list.apply(d).add(entry);
        });
        return new Recorded<>(this, entry, list);
    }

    synchronized <E extends LedgerEntry> Optional<Recorded<E>> find(
            Function<LedgerData, List<E>> list, Predicate<E> which) {
        return list.apply(data).stream().filter(which).reduce((a, b) -> b).map(e -> new Recorded<>(this, e, list));
    }

    synchronized <E extends LedgerEntry> List<Recorded<E>> live(Function<LedgerData, List<E>> list) {
        return list.apply(data).stream()
                .filter(e -> e.state().live())
                .map(e -> new Recorded<>(this, e, list))
                .toList();
    }

    /** Applies a change and writes the ledger atomically before returning. */
    public synchronized void update(Consumer<LedgerData> change) {
        change.accept(data);
        save();
    }

    /**
     * With reuse: this run's entries now belong to a kept environment. They are written to {@code to} (where
     * {@code e2e:down} finds them) and this ledger says where they went; nothing here is live any more.
     */
    public synchronized void handOver(Path to) {
        String before = data.keptFor;
        data.keptFor = null;
        try {
            save(to);
        } finally {
            data.keptFor = before;
        }
        data.keptFor = to.toString();
        save();
    }

    private void save() {
        save(file);
    }

    private void save(Path file) {
        try {
            files.write(file, tmp -> JSON.writeValue(tmp.toFile(), data));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run ledger " + file, e);
        }
    }
}
