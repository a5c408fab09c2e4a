package io.github.e2ekit.e2e.run;

import java.util.Optional;

/** Whether a goal is skipped, and by which switch (named in the log line). */
public final class Skips {
    private Skips() {}

    /**
     * The switch that skips {@code goal}: {@code e2e.skip}, failsafe's {@code skipITs}, {@code maven.test.skip}, or the
     * goal's own {@code e2e.skip.<goal>}; empty when none is set.
     */
    public static Optional<String> reason(
            String goal, boolean skip, boolean skipITs, boolean mavenTestSkip, boolean skipGoal) {
        return Optional.ofNullable(
                skip
                        ? "e2e.skip"
                        : skipITs
                                ? "skipITs"
                                : mavenTestSkip ? "maven.test.skip" : skipGoal ? "e2e.skip." + goal : null);
    }
}
