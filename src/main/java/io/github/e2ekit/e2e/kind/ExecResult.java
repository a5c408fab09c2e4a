package io.github.e2ekit.e2e.kind;

/** What a command run inside a node returned. */
public record ExecResult(long exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** The output to show a user when the command failed: stderr, else stdout, trimmed. */
    public String failureText() {
        String s = stderr.isBlank() ? stdout : stderr;
        return s.strip();
    }
}
