package io.github.e2ekit.e2e.deploy;

/**
 * The workloads the tests and benchmarks apply, as the YAML a user writes: one container named {@code main}, selected
 * by {@code app: <name>}. Further container fields (a command, ports, env, a pull policy) are given as YAML lines.
 */
public final class TestManifests {
    private TestManifests() {}

    /** A Deployment of one replica running {@code image}, with the given extra container fields. */
    public static String deployment(String name, String image, String... containerFields) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers:
                """.formatted(name) + container(image, containerFields);
    }

    /** A Job whose pod runs {@code image} once ({@code restartPolicy: Never}), with the given extra container fields. */
    public static String job(String name, String image, String... containerFields) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: %s}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                """.formatted(name) + container(image, containerFields);
    }

    private static String container(String image, String... fields) {
        StringBuilder out = new StringBuilder("      - name: main\n        image: \"" + image + "\"\n");
        for (String f : fields) {
            out.append("        ").append(f).append('\n');
        }
        return out.toString();
    }
}
