package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.image.EngineException;
import org.junit.jupiter.api.Assumptions;

/**
 * The engine the tests run against. Without one, tests are skipped with a loud reason, except
 * with {@code CI=true}, where a missing engine is a failure.
 */
public final class TestEngine {
    private static Engine shared;
    private static String missing;

    private TestEngine() {
    }

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The shared engine; closed when the JVM ends. */
    public static synchronized Engine require() {
        if (shared == null && missing == null) {
            try {
                shared = new EngineDiscovery().discover(System.getProperty("e2e.dockerHost"), System.getenv());
                Engine e = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(e::close));
            } catch (EngineException e) {
                missing = e.getMessage();
            }
        }
        if (shared == null) {
            String reason = "NO CONTAINER ENGINE: " + missing;
            if (ci()) {
                throw new AssertionError(reason + " (CI=true: a missing engine is a failure)");
            }
            System.err.println("SKIPPED engine test — " + reason);
            Assumptions.abort(reason);
        }
        return shared;
    }
}
