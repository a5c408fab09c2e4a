package io.github.e2ekit.e2e.run;

/** Where a run reports to people (the Maven log, or stderr at JVM exit); lines carry no prefix. */
public interface RunLog {
    /** How much a line matters; {@link #OUTPUT} is a line of a tool's own output (a build step), shown as it is. */
    enum Level {
        DEBUG,
        INFO,
        WARN,
        ERROR,
        OUTPUT
    }

    /** One line at {@code level}: the one method a log implements. */
    void line(Level level, String line);

    default void info(String line) {
        line(Level.INFO, line);
    }

    default void warn(String line) {
        line(Level.WARN, line);
    }

    default void error(String line) {
        line(Level.ERROR, line);
    }

    default void debug(String line) {
        line(Level.DEBUG, line);
    }

    /** A line of a tool's own output (a build step), shown as it is. */
    default void output(String line) {
        line(Level.OUTPUT, line);
    }

    /** Every line but debug ones to one sink (stderr at JVM exit, tests). */
    static RunLog to(java.util.function.Consumer<String> sink) {
        return (level, line) -> {
            if (level != Level.DEBUG) {
                sink.accept(line);
            }
        };
    }
}
