package io.github.e2ekit.e2e.run;

import java.util.Optional;

/** Whether a goal is skipped, and by which switch (named in the log line). */
public final class Skips {
    private Skips() {}

    /**
     * The switch that skips {@code goal}: {@code e2e.skip}, failsafe's {@code skipITs}, {@code maven.test.skip}, or the
     * goal's own {@code e2e.skip.<goal>}; empty when none is set. The clean-ups asked for by name ({@code down},
     * {@code reap}) are not tests: skipping the ITs does not skip them.
     */
    public static Optional<String> reason(
            String goal, boolean skip, boolean skipITs, boolean mavenTestSkip, boolean skipGoal) {
        boolean cleanUp = goal.equals("down") || goal.equals("reap");
        return Optional.ofNullable(
                skip
                        ? "e2e.skip"
                        : skipITs && !cleanUp
                                ? "skipITs"
                                : mavenTestSkip && !cleanUp ? "maven.test.skip" : skipGoal ? "e2e.skip." + goal : null);
    }
}
