package io.github.e2ekit.e2e.run;

/** Where a run reports to people (the Maven log, or stderr at JVM exit); lines carry no prefix. */
public interface RunLog {
    void info(String line);

    void warn(String line);

    void error(String line);

    default void debug(String line) {}

    /** A line of a tool's own output (a build step), shown as it is. */
    default void output(String line) {
        info(line);
    }

    /** Every line to one sink (stderr at JVM exit, tests). */
    static RunLog to(java.util.function.Consumer<String> sink) {
        return new RunLog() {
            @Override
            public void info(String line) {
                sink.accept(line);
            }

            @Override
            public void warn(String line) {
                sink.accept(line);
            }

            @Override
            public void error(String line) {
                sink.accept(line);
            }
        };
    }
}
