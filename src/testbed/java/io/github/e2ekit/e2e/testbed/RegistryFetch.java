package io.github.e2ekit.e2e.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The bytes a containerd pull fetches from one registry endpoint (OCI distribution spec: {@code GET
 * /v2/<name>/manifests/<reference>}, then {@code /v2/<name>/blobs/<digest>} for the config and each layer),
 * written as an OCI image layout archive for {@code ctr images import}. Mirrors get {@code ?ns=<registry>}, as
 * containerd's resolver adds it ({@code core/remotes/docker/resolver.go addNamespace}). Test bed only: the
 * test bed's stand-in for the node's own network fetch (its nodes have none).
 *
 * @param base like {@code http://127.0.0.1:41234/v2}
 * @param namespace the registry host when {@code base} is a mirror, else null
 * @param credentials {@code user:password} for basic authentication, or null
 */
record RegistryFetch(String base, String namespace, String credentials) {
    static final String ACCEPT = String.join(
            ", ",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An HTTP answer other than 200 (the message reads like containerd's). */
    static final class StatusException extends IOException {
        final int status;

        StatusException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A fetched image: the manifest's digest and an OCI layout archive naming it {@code name}. */
    record Fetched(String digest, byte[] archive) {}

    /** Names the endpoint, never the credentials. */
    @Override
    public String toString() {
        return "RegistryFetch[" + base + (namespace == null ? "" : "?ns=" + namespace) + "]";
    }

    /** Fetches {@code repository} at {@code reference} (tag or digest); the archive names it {@code name(digest)}. */
    Fetched fetch(String repository, String reference, java.util.function.UnaryOperator<String> name)
            throws IOException, InterruptedException {
        byte[] manifest = get(repository, "manifests/" + reference, ACCEPT);
        String digest = digest(manifest);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new IOException("manifest digest mismatch: asked " + reference + ", got " + digest);
        }
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(digest, manifest);
        JsonNode m = JSON.readTree(manifest);
        String mediaType = m.path("mediaType").asText("application/vnd.oci.image.manifest.v1+json");
        if (m.has("manifests")) { // an index: the node's platform only (CRI pulls with the platform matcher)
            JsonNode chosen = null;
            for (JsonNode d : m.path("manifests")) {
                if ("linux".equals(d.path("platform").path("os").asText())
                        && "amd64"
                                .equals(d.path("platform").path("architecture").asText())) {
                    chosen = d;
                    break;
                }
            }
            if (chosen == null) {
                throw new IOException("no matching manifest for linux/amd64 in the manifest list entries");
            }
            byte[] child = get(repository, "manifests/" + chosen.path("digest").asText(), ACCEPT);
            blobs.put(chosen.path("digest").asText(), child);
            addBlobs(repository, JSON.readTree(child), blobs);
        } else {
            addBlobs(repository, m, blobs);
        }
        return new Fetched(digest, archive(digest, mediaType, manifest.length, name.apply(digest), blobs));
    }

    private void addBlobs(String repository, JsonNode manifest, Map<String, byte[]> blobs)
            throws IOException, InterruptedException {
        String config = manifest.path("config").path("digest").asText();
        blobs.put(config, blob(repository, config));
        for (JsonNode layer : manifest.path("layers")) {
            String d = layer.path("digest").asText();
            blobs.put(d, blob(repository, d));
        }
    }

    private byte[] blob(String repository, String digest) throws IOException, InterruptedException {
        byte[] b = get(repository, "blobs/" + digest, "*/*");
        if (!digest(b).equals(digest)) {
            throw new IOException("blob " + digest + " arrived with digest " + digest(b));
        }
        return b;
    }

    private byte[] get(String repository, String path, String accept) throws IOException, InterruptedException {
        String url = base + "/" + repository + "/" + path + (namespace == null ? "" : "?ns=" + namespace);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(1))
                .header("Accept", accept);
        if (credentials != null) {
            req.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> r = HTTP.send(req.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new StatusException(
                    r.statusCode(), "unexpected status from GET request to " + url + ": " + r.statusCode());
        }
        return r.body();
    }

    static String digest(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** OCI image layout (image-spec {@code image-layout.md}); containerd's importer names the image from the
     * {@code io.containerd.image.name} annotation ({@code core/images/archive/importer.go imageName}). */
    private static byte[] archive(String digest, String mediaType, long size, String name, Map<String, byte[]> blobs)
            throws IOException {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        ArrayNode manifests = index.putArray("manifests");
        ObjectNode d = manifests
                .addObject()
                .put("mediaType", mediaType)
                .put("digest", digest)
                .put("size", size);
        d.putObject("annotations").put("io.containerd.image.name", name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            put(tar, "index.json", JSON.writeValueAsBytes(index));
            for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
                put(tar, "blobs/sha256/" + b.getKey().substring("sha256:".length()), b.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void put(TarArchiveOutputStream tar, String path, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(path);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
