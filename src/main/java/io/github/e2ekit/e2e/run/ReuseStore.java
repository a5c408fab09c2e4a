package io.github.e2ekit.e2e.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where kept environments are recorded: {@code $XDG_CACHE_HOME/e2e-maven-plugin/reuse/<key hash>/} (else
 * {@code ~/.cache/…}), holding {@code record.json} and the ledgers of the runs whose things the environment holds.
 * Not under {@code target/}: {@code mvn clean} would lose the record while the namespace and node images live on,
 * and {@code e2e:down} would have nothing to go by. The namespace also carries the key's hash as a label
 * ({@link Reuse#KEY_LABEL}), which proves that the namespace found is the one the record describes.
 */
public final class ReuseStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private final Path root;
    private final AtomicFiles files;

    public ReuseStore(Path root) {
        this(root, new AtomicFiles());
    }

    /** Records under {@code root}, written through {@code files} (the run's). */
    public ReuseStore(Path root, AtomicFiles files) {
        this.root = root;
        this.files = files;
    }

    /** This user's store, as the locks find their directory ({@code XDG_CACHE_HOME}, else {@code ~/.cache}). */
    public static ReuseStore forUser(Map<String, String> environment, String home, AtomicFiles files) {
        String xdg = environment.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(home, ".cache");
        return new ReuseStore(base.resolve("e2e-maven-plugin").resolve("reuse"), files);
    }

    public Path directory(EnvironmentKey key) {
        return directory(key.hash());
    }

    public Path directory(String hash) {
        return root.resolve(hash);
    }

    /** The record of {@code key}; a record whose own key differs (another checkout, another cluster) is not used. */
    public Optional<ReuseRecord> find(EnvironmentKey key) {
        Path file = directory(key).resolve("record.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        ReuseRecord r = read(file);
        return r != null && key.equals(r.key()) ? Optional.of(r) : Optional.empty();
    }

    public void save(ReuseRecord record) {
        Path dir = directory(record.key());
        try {
            files.write(dir.resolve("record.json"), tmp -> JSON.writeValue(tmp.toFile(), record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the reuse record in " + dir, e);
        }
    }

    /** The ledgers the environment of {@code dir} holds, oldest first. */
    public List<Path> ledgers(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("ledger-[0-9a-z]+\\.json"))
                    .sorted(Comparator.comparing(ReuseStore::modified))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The directories of kept environments of this project (service and location), whatever their cluster. */
    public List<Path> ofProject(String service, Path basedir) {
        String location = EnvironmentKey.canonical(basedir);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path dir : s.sorted().toList()) {
                ReuseRecord r = record(dir);
                if (r != null && service.equals(r.service) && location.equals(r.basedir)) {
                    out.add(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list kept environments in " + root, e);
        }
        return out;
    }

    /** The record in {@code dir}, or null. */
    public ReuseRecord record(Path dir) {
        Path file = dir.resolve("record.json");
        return Files.isRegularFile(file) ? read(file) : null;
    }

    /** Forgets an environment that is gone. */
    public void remove(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the reuse record " + dir, e);
        }
    }

    private static ReuseRecord read(Path file) {
        try {
            return JSON.readValue(file.toFile(), ReuseRecord.class);
        } catch (IOException e) {
            return null; // unreadable: as if there were none (the environment is then rebuilt or left to reap)
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
