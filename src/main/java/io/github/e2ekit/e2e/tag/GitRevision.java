package io.github.e2ekit.e2e.tag;

import io.github.e2ekit.e2e.process.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The short commit of the work tree holding a directory, with {@code -dirty} when it has changes there. */
public final class GitRevision {
    private GitRevision() {}

    /** Returns the revision, or null when the directory is not in a git work tree or git is missing. */
    public static String of(Path dir) {
        String head = git(dir, "rev-parse", "--short=12", "HEAD");
        if (head == null || head.isBlank()) {
            return null;
        }
        String status = git(dir, "status", "--porcelain", "--", ".");
        return head.strip() + (status != null && !status.isBlank() ? "-dirty" : "");
    }

    private static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        return Command.output(cmd, Map.of(), false, Duration.ofSeconds(30));
    }
}
