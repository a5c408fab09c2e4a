package io.github.e2ekit.e2e.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kept environment and the inputs that made it (a plain JSON document, {@code record.json} in the environment's
 * directory): its key, namespace, the run that created it, the plugin version, the image ID of every image and the
 * hash of the rendered manifests (this run's references, digests and expiry left out), and the objects to check.
 */
public final class ReuseRecord {
    public String service;
    public String basedir;
    public String cluster;
    public String server;
    public String namespace;
    /** The run that created the environment: its label stays on the objects. */
    public String run;

    public String pluginVersion;
    /** Image id (the {@code <image><id>}) → image ID (sha256:…) the environment's pods run. */
    public Map<String, String> images = new LinkedHashMap<>();

    public String manifestsHash;
    public String kubeconfig;
    public String updated;
    public List<Kept> objects = new ArrayList<>();

    /** An object of the environment, checked for readiness before it is reused. */
    public static final class Kept {
        public String apiVersion;
        public String kind;
        public String namespace;
        public String name;
        public String uid;
    }

    public EnvironmentKey key() {
        return new EnvironmentKey(service, basedir, cluster, server);
    }
}
