package io.github.e2ekit.e2e.teardown;

import java.util.ArrayList;
import java.util.List;

/** What teardown removed, kept and failed to remove. */
public final class TeardownReport {
    private final List<String> removed = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    synchronized void removed(String what) {
        removed.add(what);
    }

    synchronized void kept(String what) {
        kept.add(what);
    }

    synchronized void failed(String what) {
        failures.add(what);
    }

    public synchronized List<String> removed() {
        return List.copyOf(removed);
    }

    public synchronized List<String> kept() {
        return List.copyOf(kept);
    }

    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }
}
