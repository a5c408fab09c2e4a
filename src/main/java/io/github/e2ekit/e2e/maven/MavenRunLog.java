package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.RunLog;
import org.apache.maven.plugin.logging.Log;

/** A run's lines in the Maven log, prefixed {@code e2e: } (a tool's own output lines as they are). */
final class MavenRunLog implements RunLog {
    private static final String PREFIX = "e2e: ";

    private final Log log;

    MavenRunLog(Log log) {
        this.log = log;
    }

    @Override
    public void line(Level level, String line) {
        switch (level) {
            case DEBUG -> log.debug(PREFIX + line);
            case INFO -> log.info(PREFIX + line);
            case WARN -> log.warn(PREFIX + line);
            case ERROR -> log.error(PREFIX + line);
            case OUTPUT -> log.info(line);
        }
    }
}
