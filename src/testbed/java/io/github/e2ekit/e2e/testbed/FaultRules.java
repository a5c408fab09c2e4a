package io.github.e2ekit.e2e.testbed;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The rules of a fault front ({@link EngineFaults}, {@code kube.ApiFaults}), in the order the test added them: the
 * front asks them in that order for each request it sees.
 *
 * @param <R> the front's rule
 */
public abstract class FaultRules<R extends FaultRule<R, ?>> {
    /** Read by the front's request threads while a test adds or clears rules. */
    protected final List<R> rules = new CopyOnWriteArrayList<>();

    /** A new rule for {@code method} and {@code path}, matched as the front matches requests. */
    protected abstract R newRule(String method, Pattern path);

    /** A rule for the requests with this method whose path matches {@code pathRegex} (as the front reads both). */
    public R on(String method, String pathRegex) {
        R r = newRule(method, Pattern.compile(pathRegex));
        rules.add(r);
        return r;
    }

    /** Removes every rule. */
    public void clear() {
        rules.clear();
    }
}
