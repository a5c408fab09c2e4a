package io.github.e2ekit.e2e.image;

/** What a command run in a container returned: its exit code ({@code -1} when the engine reports none) and output. */
public record ExecOutput(long exitCode, String stdout, String stderr) {}
