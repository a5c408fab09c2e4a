package io.github.e2ekit.e2e.run;

import java.nio.file.Path;
import java.util.List;

/**
 * The run configurations the run tests start from: a module's {@code target/e2e}, version 1.0, a ttl of 2h, the
 * cluster settings at their defaults for the service, no reuse.
 */
final class TestConfigurations {
    private TestConfigurations() {}

    /** Service {@code svc}, no images, tags by digest, the engine discovered as usual. */
    static RunConfiguration module(Path module, boolean keepOnFailure) throws ConfigException {
        return module(module, "svc", List::of, "{digest}", null, keepOnFailure);
    }

    static RunConfiguration module(
            Path module,
            String service,
            RunConfiguration.Images images,
            String tagTemplate,
            String dockerHost,
            boolean keepOnFailure)
            throws ConfigException {
        return new RunConfiguration(
                module,
                module.resolve("target/e2e"),
                service,
                "1.0",
                images,
                tagTemplate,
                dockerHost,
                "2h",
                keepOnFailure,
                ClusterSettings.of(service, null, null, null, null, null, null, null, null, null),
                false);
    }
}
