package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest and {@code index.json} of a node archive, byte for byte what containerd writes when it imports an
 * engine's legacy export itself (containerd {@code core/images/archive/importer.go}: Docker schema 2 manifest,
 * uncompressed layers, the index naming the image), so an incremental import leaves a node as a full one does.
 */
final class ContainerdManifest {
    static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    static final String CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
    static final String LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainerdManifest() {}

    /** The Docker schema 2 manifest containerd itself writes for this image's legacy export. */
    static byte[] manifest(String imageId, int configSize, List<String> diffIds, Map<String, Long> sizes) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mediaType", CONFIG_TYPE);
        config.put("digest", imageId);
        config.put("size", configSize);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (String d : diffIds) {
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("mediaType", LAYER_TYPE);
            layer.put("digest", d);
            layer.put("size", sizes.get(d));
            layers.add(layer);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MANIFEST_TYPE);
        m.put("config", config);
        m.put("layers", layers);
        return GoJson.write(m);
    }

    /** index.json naming the manifest as {@code nodeRef}, like containerd's import of the legacy export. */
    static byte[] index(byte[] manifest, String nodeRef, byte[] config) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", MANIFEST_TYPE);
        descriptor.put("digest", "sha256:" + LegacyLayerIds.sha256(manifest));
        descriptor.put("size", manifest.length);
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("io.containerd.image.name", nodeRef);
        annotations.put("org.opencontainers.image.ref.name", refName(nodeRef));
        descriptor.put("annotations", annotations);
        try {
            JsonNode c = JSON.readTree(config);
            if (c.hasNonNull("architecture") && c.hasNonNull("os")) {
                Map<String, Object> platform = new LinkedHashMap<>();
                platform.put("architecture", c.get("architecture").asText());
                platform.put("os", c.get("os").asText());
                if (c.hasNonNull("variant")) {
                    platform.put("variant", c.get("variant").asText());
                }
                descriptor.put("platform", platform);
            }
        } catch (IOException e) {
            // no platform: containerd matches a descriptor without one
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", List.of(descriptor));
        return GoJson.write(index);
    }

    /** The OCI ref name containerd derives from a full name: its tag (or digest). */
    static String refName(String name) {
        int at = name.indexOf('@');
        if (at >= 0) {
            return name.substring(at + 1);
        }
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(colon + 1) : "latest";
    }
}
