package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.registry.RegistryPush;

/**
 * With mvn -X every logger is at DEBUG, and the engine client's HTTP library logs request headers and bodies there:
 * X-Registry-Auth (the registry password, base64) and build contexts byte by byte. Maven's logger takes per-logger
 * levels from these properties when a logger is made, which for these is later (at the first engine request); a level
 * the user set stays (and RegistryPush then refuses).
 */
final class HttpLogLevels {
    private HttpLogLevels() {}

    static void keepQuiet() {
        for (String name : RegistryPush.HTTP_LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "info");
            }
        }
    }
}
