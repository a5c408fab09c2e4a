package io.github.e2ekit.e2e.run;

/** A goal failed for a reason already worded for people (one line); the build fails with it as it is. */
public final class GoalFailure extends RuntimeException {
    public GoalFailure(String message) {
        super(message);
    }
}
