package io.github.e2ekit.e2e.kind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which runs use a shared cluster right now, so that parallel modules sharing one cluster never have
 * it deleted under them: each run registers at load and leaves at teardown; the run that created
 * the cluster only marks it for deletion when others still use it, and the last one out deletes it.
 * A run is a file named after it, holding its process id; files of processes that are gone (a
 * {@code kill -9}) do not count. Call under the cluster's {@link ClusterLock}.
 */
public final class ClusterUsers {
    private final Path dir;

    public ClusterUsers(Path lockDirectory, String cluster) {
        this.dir = lockDirectory.resolve(cluster + ".users");
    }

    public void join(String run) {
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve(run), String.valueOf(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register run " + run + " as a user of the cluster in " + dir, e);
        }
    }

    /** Leaves; returns the runs (of living processes) still using the cluster. */
    public List<String> leave(String run) {
        try {
            Files.deleteIfExists(dir.resolve(run));
            return others();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> others() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files =
                    s.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
            List<String> alive = new java.util.ArrayList<>();
            for (Path f : files) {
                if (alive(f)) {
                    alive.add(f.getFileName().toString());
                } else if (!Files.readString(f).isBlank()) {
                    Files.deleteIfExists(f); // its process is gone (kill -9): it uses nothing any more
                }
            }
            return alive.stream().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks the cluster for deletion by the last run to leave. */
    public void deleteWhenUnused() {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(".delete-when-unused"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the creator asked for deletion once unused; clears the mark when {@code clear}. */
    public boolean deletionPending(boolean clear) {
        Path mark = dir.resolve(".delete-when-unused");
        boolean pending = Files.exists(mark);
        if (pending && clear) {
            try {
                Files.deleteIfExists(mark);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pending;
    }

    private static boolean alive(Path file) {
        try {
            long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
