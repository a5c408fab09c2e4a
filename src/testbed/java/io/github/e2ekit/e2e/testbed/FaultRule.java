package io.github.e2ekit.e2e.testbed;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A fault rule: the requests it matches (a method and a path pattern, each front matching them its way), which of
 * them it hits (from the {@code nth} on, {@code times} in a row; by default the first, once) and what it does to
 * them. Shared by the engine's ({@link EngineFaults}) and the API server's ({@code kube.ApiFaults}) rules.
 *
 * @param <R> the rule itself, for its fluent setters
 * @param <A> what a rule can do to a request
 */
public abstract class FaultRule<R extends FaultRule<R, A>, A extends Enum<A>> {
    protected final String method;
    protected final Pattern path;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicInteger fired = new AtomicInteger();
    private volatile int nth = 1;
    private volatile int times = 1;
    private volatile A action;

    protected FaultRule(String method, Pattern path, A action) {
        this.method = method;
        this.path = path;
        this.action = action;
    }

    /** This rule as its own type, for the fluent setters ({@code R} is always the subclass itself). */
    @SuppressWarnings("unchecked")
    protected final R self() {
        return (R) this;
    }

    /** Sets what the rule does to the requests it hits. */
    protected R act(A what) {
        this.action = what;
        return self();
    }

    /** What the rule does to the requests it hits. */
    public A action() {
        return action;
    }

    /** Starts at the {@code n}th matching request (1: the first). */
    public R nth(int n) {
        this.nth = n;
        return self();
    }

    /** Applies to this many matching requests in a row (default 1). */
    public R times(int count) {
        this.times = count;
        return self();
    }

    /** Applies to every matching request from the {@code nth} on. */
    public R always() {
        return times(Integer.MAX_VALUE);
    }

    /** How many requests matched so far (hit or not). */
    public int matched() {
        return seen.get();
    }

    /** How many requests this rule hit so far. */
    public int fired() {
        return fired.get();
    }

    /** Counts a matching request (called by the injector); true when this one is to be hit. */
    public boolean hit() {
        int n = seen.incrementAndGet();
        if (n >= nth && n - nth < times) {
            fired.incrementAndGet();
            return true;
        }
        return false;
    }

    /** {@code #<nth>}, for messages naming the rule. */
    protected String position() {
        return "#" + nth;
    }
}
