package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.RunLog;
import org.apache.maven.plugin.logging.Log;

/** A run's lines in the Maven log, prefixed {@code e2e: } (a tool's own output lines as they are). */
final class MavenRunLog implements RunLog {
    private final Log log;

    MavenRunLog(Log log) {
        this.log = log;
    }

    @Override
    public void info(String line) {
        log.info("e2e: " + line);
    }

    @Override
    public void warn(String line) {
        log.warn("e2e: " + line);
    }

    @Override
    public void error(String line) {
        log.error("e2e: " + line);
    }

    @Override
    public void debug(String line) {
        log.debug("e2e: " + line);
    }

    @Override
    public void output(String line) {
        log.info(line);
    }
}
