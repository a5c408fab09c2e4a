package io.github.e2ekit.e2e.image;

/** Which container engine answers behind the Docker-compatible API. */
public enum EngineKind {
    DOCKER("Docker", "docker"),
    PODMAN("Podman", "podman");

    private final String displayName;
    private final String kindProvider;

    EngineKind(String displayName, String kindProvider) {
        this.displayName = displayName;
        this.kindProvider = kindProvider;
    }

    public String displayName() {
        return displayName;
    }

    /** Value for {@code KIND_EXPERIMENTAL_PROVIDER}, so kind talks to the same engine as we do. */
    public String kindProvider() {
        return kindProvider;
    }
}
