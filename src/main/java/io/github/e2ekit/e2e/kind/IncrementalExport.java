package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads one engine export of an image once, as a stream, and writes for every node an OCI-layout
 * archive ({@code oci-layout}, the layer blobs the node lacks, the config, the manifest,
 * {@code index.json}) straight into that node's {@code ctr images import}.
 *
 * <p>Understands the legacy export ({@code <v1-id>/layer.tar}, {@code <id>.json}, {@code manifest.json}
 * last) and the OCI layout of newer engines ({@code blobs/sha256/<digest>}, {@code index.json}). A layer
 * is identified before its data is read, from its name (OCI blobs and podman's {@code <diff-id>.tar}) or
 * from its legacy directory's v1 ID ({@link LegacyLayerIds}), so each node's archive gets exactly the
 * layers it lacks with no buffering; an unidentified layer is sent to every node that lacks any layer not
 * yet seen (never too little) and hashed to learn what it was. The blob names inside the node archives
 * do not matter to containerd (it digests what it ingests); only {@code index.json} does.
 *
 * <p>The manifest written is byte for byte the one containerd writes when it imports the legacy
 * export itself (Docker schema 2, uncompressed layers), so an incremental import leaves the node in
 * the same state as a full import. Since it lists every layer's size, it goes last, with the config
 * and {@code index.json}, after the whole export has been read.
 *
 * <p>Nodes marked {@link NodeArchive#full} get the export's raw bytes instead (a full import), from the same
 * read. If the export's first entry belongs to no known layout, every node is switched to that. A node
 * whose archive turns out incomplete (a layer it lacks was not in the export, the export broke off,
 * its import ended early) gets a well-formed archive without {@code index.json}, which its import
 * rejects, and a {@link NodeArchive#failure} saying why: the caller then imports it in full.
 */
final class IncrementalExport {
    private static final int CHUNK = 1 << 20;
    private static final int SMALL_LIMIT = 64 << 20;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private final String imageId;
    private final List<String> diffIds;
    private final Set<String> layers;
    private final List<String> chainIds;
    private final String nodeRef;
    private final UnaryOperator<InputStream> view;

    private final Map<String, Long> sizes = new HashMap<>();
    private final Set<String> streamed = new LinkedHashSet<>();
    private final Map<String, String> entryDigest = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, String> dirLayer = new HashMap<>();
    private final byte[] skipBuffer = new byte[CHUNK];
    private byte[] config;
    private String configProblem;
    private byte[] dockerManifest;
    private int unidentified;
    private ExportTee tee;

    /**
     * @param imageId the engine's image ID ({@code sha256:…}): the config's digest
     * @param diffIds the image's layers in order ({@code RootFS.Layers})
     * @param nodeRef the name the nodes give the image
     * @param view what the parser reads instead of the raw export (identity but in tests)
     */
    IncrementalExport(String imageId, List<String> diffIds, String nodeRef, UnaryOperator<InputStream> view) {
        this.imageId = imageId.startsWith("sha256:") ? imageId : "sha256:" + imageId;
        this.diffIds = List.copyOf(diffIds);
        this.layers = new LinkedHashSet<>(diffIds);
        this.chainIds = LegacyLayerIds.chainIds(diffIds);
        this.nodeRef = nodeRef;
        this.view = view;
    }

    /** Distinct layers of the image. */
    int layerCount() {
        return layers.size();
    }

    /** Sum of the sizes of the distinct layers seen in the export (all of them once it was read). */
    long layerBytes() {
        return sizes.entrySet().stream()
                .filter(e -> layers.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    boolean allSizesKnown() {
        return sizes.keySet().containsAll(layers);
    }

    /** Bytes read from the raw export. */
    long bytesRead() {
        return tee == null ? 0 : tee.count;
    }

    /**
     * Reads {@code raw} to its end and feeds every node; ends every node's stream. Never throws for a
     * problem of the export or of one node: those become {@link NodeArchive#failure}s or full imports.
     */
    void run(InputStream raw, List<NodeArchive> nodes) throws InterruptedException {
        tee = new ExportTee(raw);
        List<NodeArchive> inc = nodes.stream().filter(n -> !n.full).toList();
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(view.apply(tee));
            TarArchiveEntry entry;
            String unknown;
            try {
                entry = tar.getNextEntry();
                unknown = layoutProblem(entry);
            } catch (IOException | IllegalArgumentException e) {
                entry = null;
                unknown = "not a tar archive (" + e.getMessage() + ")";
            }
            if (unknown != null) {
                for (NodeArchive n : inc) {
                    n.full = true;
                    n.fullReason = "unknown export layout (" + unknown + ")";
                }
                inc = List.of();
                entry = null;
            }
            tee.release(nodes.stream().filter(n -> n.full).toList());
            for (NodeArchive n : inc) {
                NodeArchive.sendFile(List.of(n), "oci-layout", OCI_LAYOUT);
            }
            while (entry != null) {
                entry(tar, entry, inc);
                entry = tar.getNextEntry();
            }
            tee.drain();
            finish(inc);
        } catch (IOException | RuntimeException e) {
            String why = "reading the export failed: " + e;
            for (NodeArchive n : inc) {
                if (n.failure == null) {
                    n.failure = why;
                }
            }
            for (NodeArchive n : inc) {
                NodeArchive.close(n);
            }
            try {
                if (!tee.released()) {
                    tee.release(nodes.stream().filter(n -> n.full).toList());
                }
                tee.drain(); // the full imports still get the whole export, if it can be read
            } catch (IOException again) {
                // the export itself broke: the full imports fail and say so
            }
        } finally {
            try {
                tee.flush();
            } catch (IOException e) {
                // a full node's import is gone: its result says why
            }
            for (NodeArchive n : nodes) {
                if (n.full) {
                    n.sink.end();
                }
            }
        }
    }

    /** Null if the first entry belongs to a layout this class reads, else what is wrong with it. */
    static String layoutProblem(TarArchiveEntry first) {
        if (first == null) {
            return "empty archive";
        }
        String name = normalize(first.getName());
        int slash = name.indexOf('/');
        String top = slash < 0 ? name : name.substring(0, slash);
        if (top.equals("blobs")
                || name.equals("oci-layout")
                || name.equals("index.json")
                || name.equals("manifest.json")
                || name.equals("repositories")) {
            return null;
        }
        String stem = top.endsWith(".json")
                ? top.substring(0, top.length() - 5)
                : top.endsWith(".tar") ? top.substring(0, top.length() - 4) : top;
        if (HEX64.matcher(stem).matches()) {
            return null;
        }
        return "first entry '" + name + "'";
    }

    // ---- entries -------------------------------------------------------------------------------------

    private void entry(TarArchiveInputStream tar, TarArchiveEntry e, List<NodeArchive> inc)
            throws IOException, InterruptedException {
        String name = normalize(e.getName());
        if (e.isDirectory()) {
            return;
        }
        if (e.isLink()) {
            links.put(name, normalize(e.getLinkName()));
            return;
        }
        if (e.isSymbolicLink()) {
            int slash = name.lastIndexOf('/');
            String target = e.getLinkName().startsWith("/")
                    ? e.getLinkName()
                    : (slash < 0 ? "" : name.substring(0, slash + 1)) + e.getLinkName();
            links.put(name, normalize(target));
            return;
        }
        if (!e.isFile()) {
            return;
        }
        long size = e.getSize();
        if (name.equals("manifest.json")) {
            dockerManifest = readSmall(tar, size, name);
            return;
        }
        int slash = name.lastIndexOf('/');
        String dir = slash < 0 ? null : name.substring(0, slash);
        String base = name.substring(slash + 1);
        if (dir != null && base.equals("json") && HEX64.matcher(dir).matches()) {
            int i = LegacyLayerIds.identify(dir, readSmall(tar, size, name), chainIds);
            if (i >= 0) {
                dirLayer.put(dir, diffIds.get(i));
            }
            return;
        }
        String digest = digestInName(name);
        if (digest == null && dir != null && base.equals("layer.tar")) {
            digest = dirLayer.get(dir);
        }
        if (imageId.equals(digest)) {
            byte[] bytes = readSmall(tar, size, name);
            String actual = "sha256:" + LegacyLayerIds.sha256(bytes);
            entryDigest.put(name, actual);
            if (actual.equals(imageId)) {
                config = bytes;
            } else {
                configProblem = "the export's config " + name + " has digest " + actual + ", not the image ID";
            }
            return;
        }
        if (digest != null && layers.contains(digest)) {
            layer(tar, name, size, digest, inc);
            return;
        }
        if (digest == null && base.endsWith(".tar") && !name.startsWith("blobs/")) {
            unidentifiedLayer(tar, name, size, inc);
        }
        // anything else (VERSION, repositories, index.json, oci-layout, the engine's own manifests,
        // blobs of no layer): not needed, skipped by the next getNextEntry
    }

    /** A layer whose digest is known before its data: only nodes lacking it get it. */
    private void layer(TarArchiveInputStream tar, String name, long size, String digest, List<NodeArchive> inc)
            throws IOException, InterruptedException {
        entryDigest.put(name, digest);
        sizes.putIfAbsent(digest, size);
        if (!streamed.add(digest)) {
            return; // the same layer twice in one image: one blob
        }
        List<NodeArchive> to = inc.stream()
                .filter(n -> n.incremental() && !n.held.contains(digest))
                .toList();
        copyEntry(tar, "blobs/sha256/" + hex(digest), size, to, null);
        for (NodeArchive n : to) {
            if (n.sent.add(digest)) {
                n.bytesSent += size;
            }
        }
    }

    /**
     * A layer file whose digest is unknown until read: sent to every node lacking any layer not yet
     * seen (it may be that one), hashed on the way.
     */
    private void unidentifiedLayer(TarArchiveInputStream tar, String name, long size, List<NodeArchive> inc)
            throws IOException, InterruptedException {
        Set<String> unseen = new LinkedHashSet<>(layers);
        unseen.removeAll(streamed);
        List<NodeArchive> to = inc.stream()
                .filter(n -> n.incremental() && unseen.stream().anyMatch(d -> !n.held.contains(d)))
                .toList();
        MessageDigest md = LegacyLayerIds.digest();
        copyEntry(tar, "blobs/sha256/unidentified-" + (++unidentified), size, to, md);
        String digest = "sha256:" + HexFormat.of().formatHex(md.digest());
        entryDigest.put(name, digest);
        if (layers.contains(digest)) {
            sizes.putIfAbsent(digest, size);
            streamed.add(digest);
            for (NodeArchive n : to) {
                if (n.sent.add(digest)) {
                    n.bytesSent += size;
                }
            }
        }
    }

    private void copyEntry(
            TarArchiveInputStream tar, String blobName, long size, List<NodeArchive> to, MessageDigest md)
            throws IOException, InterruptedException {
        if (!to.isEmpty()) {
            NodeArchive.begin(to, blobName, size);
        }
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            if (to.isEmpty()) {
                readFully(tar, skipBuffer, n);
                if (md != null) {
                    md.update(skipBuffer, 0, n);
                }
            } else {
                byte[] chunk = new byte[n];
                readFully(tar, chunk, n);
                if (md != null) {
                    md.update(chunk);
                }
                NodeArchive.send(to, chunk);
            }
            left -= n;
        }
        if (!to.isEmpty()) {
            NodeArchive.pad(to, size);
        }
    }

    // ---- the end: config, manifest, index ----------------------------------------------------------------

    private void finish(List<NodeArchive> inc) throws InterruptedException {
        String common = commonProblem();
        byte[] manifest = null;
        byte[] index = null;
        if (common == null) {
            manifest = manifest();
            index = index(manifest);
        }
        for (NodeArchive n : inc) {
            if (n.failure == null && common != null) {
                n.failure = common;
            }
            if (n.failure == null && n.gone) {
                n.failure = "its import stopped reading before the archive was complete";
            }
            if (n.failure == null) {
                for (String d : layers) {
                    if (!n.held.contains(d) && !n.sent.contains(d)) {
                        n.failure = "layer " + shortDigest(d) + " was not in the export as an uncompressed blob";
                        break;
                    }
                }
            }
            if (n.failure == null) {
                List<NodeArchive> one = List.of(n);
                NodeArchive.sendFile(one, "blobs/sha256/" + hex(imageId), config);
                NodeArchive.sendFile(one, "blobs/sha256/" + LegacyLayerIds.sha256(manifest), manifest);
                NodeArchive.sendFile(one, "index.json", index);
            }
            NodeArchive.close(n);
        }
    }

    /** What keeps every node from an incremental import, or null. */
    private String commonProblem() {
        if (config == null) {
            return configProblem != null
                    ? configProblem
                    : "the image config " + shortDigest(imageId) + " was not in the export";
        }
        for (String d : layers) {
            if (!sizes.containsKey(d)) {
                return "layer " + shortDigest(d) + " was not in the export as an uncompressed blob";
            }
        }
        if (dockerManifest != null) {
            try {
                JsonNode list = JSON.readTree(dockerManifest);
                JsonNode paths = list.isArray() && list.size() > 0 ? list.get(0).get("Layers") : null;
                if (paths == null || !paths.isArray() || paths.size() != diffIds.size()) {
                    return "the export's manifest.json does not list the image's " + diffIds.size() + " layers";
                }
                for (int i = 0; i < diffIds.size(); i++) {
                    String path = normalize(paths.get(i).asText());
                    for (int hops = 0; links.containsKey(path) && hops < 8; hops++) {
                        path = links.get(path);
                    }
                    String found = entryDigest.get(path);
                    if (!diffIds.get(i).equals(found)) {
                        return "the export's manifest.json lists " + path + " as layer " + (i + 1) + ", which is "
                                + (found == null ? "unknown" : shortDigest(found)) + ", not "
                                + shortDigest(diffIds.get(i));
                    }
                }
            } catch (IOException e) {
                return "the export's manifest.json cannot be read: " + e.getMessage();
            }
        }
        return null;
    }

    /** The Docker schema 2 manifest containerd itself writes for this image's legacy export. */
    byte[] manifest() {
        return ContainerdManifest.manifest(imageId, config.length, diffIds, sizes);
    }

    private byte[] index(byte[] manifest) {
        return ContainerdManifest.index(manifest, nodeRef, config);
    }

    static String refName(String name) {
        return ContainerdManifest.refName(name);
    }

    // ---- reading -------------------------------------------------------------------------------------

    private static byte[] readSmall(TarArchiveInputStream tar, long size, String name) throws IOException {
        if (size > SMALL_LIMIT) {
            throw new IOException(name + " is " + size + " bytes, too large for metadata");
        }
        byte[] b = new byte[(int) size];
        readFully(tar, b, (int) size);
        return b;
    }

    private static void readFully(InputStream in, byte[] b, int n) throws IOException {
        int got = in.readNBytes(b, 0, n);
        if (got < n) {
            throw new EOFException("the export ended inside an entry");
        }
    }

    /** The image config's or a layer's digest, if a path component names it (OCI blob, podman layer). */
    private String digestInName(String name) {
        for (String part : name.split("/")) {
            String stem = part.endsWith(".tar")
                    ? part.substring(0, part.length() - 4)
                    : part.endsWith(".json") ? part.substring(0, part.length() - 5) : part;
            if (HEX64.matcher(stem).matches()) {
                String d = "sha256:" + stem;
                if (layers.contains(d) || imageId.equals(d)) {
                    return d;
                }
            }
        }
        return null;
    }

    /**
     * An entry's name or a link's target as a path inside the archive: without {@code ./}, {@code /} or empty parts,
     * {@code ..} taking one part off (never above the top).
     */
    private static String normalize(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else {
                out.add(part);
            }
        }
        return String.join("/", out);
    }

    static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }

    static String shortDigest(String digest) {
        String h = hex(digest);
        return "sha256:" + h.substring(0, Math.min(12, h.length()));
    }
}
