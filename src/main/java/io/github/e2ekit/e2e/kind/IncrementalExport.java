package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

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
 * <p>Nodes marked {@link Node#full} get the export's raw bytes instead (a full import), from the same
 * read. If the export's first entry belongs to no known layout, every node is switched to that. A node
 * whose archive turns out incomplete (a layer it lacks was not in the export, the export broke off,
 * its import ended early) gets a well-formed archive without {@code index.json}, which its import
 * rejects, and a {@link Node#failure} saying why: the caller then imports it in full.
 */
final class IncrementalExport {
    static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    static final String CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
    static final String LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar";
    private static final int CHUNK = 1 << 20;
    private static final int SMALL_LIMIT = 64 << 20;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final ZipEncoding UTF8 = ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    /** One node's side of the split: what it holds, where its archive goes, and what it got. */
    static final class Node {
        final String name;
        final Set<String> held;
        final ChunkStream sink;
        /** Receives the raw export (a full import) instead of an incremental archive. */
        boolean full;
        /** Why the node is imported in full (set with {@link #full}, or by the caller afterwards). */
        String fullReason;
        /** Why this node's incremental archive is incomplete; the caller must import it in full. */
        String failure;
        /** Layer digests written into this node's archive. */
        final Set<String> sent = new LinkedHashSet<>();
        long bytesSent;
        /** The node's import stopped reading. */
        boolean gone;
        /** Bytes still owed to the tar entry being written (data and padding). */
        long entryLeft;

        Node(String name, Set<String> held, ChunkStream sink) {
            this.name = name;
            this.held = held;
            this.sink = sink;
        }

        boolean incremental() {
            return !full && failure == null && !gone;
        }
    }

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
    private Tee tee;

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
        return sizes.entrySet().stream().filter(e -> layers.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
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
     * problem of the export or of one node: those become {@link Node#failure}s or full imports.
     */
    void run(InputStream raw, List<Node> nodes) throws InterruptedException {
        tee = new Tee(raw);
        List<Node> inc = nodes.stream().filter(n -> !n.full).toList();
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
                for (Node n : inc) {
                    n.full = true;
                    n.fullReason = "unknown export layout (" + unknown + ")";
                }
                inc = List.of();
                entry = null;
            }
            tee.release(nodes.stream().filter(n -> n.full).toList());
            for (Node n : inc) {
                sendFile(List.of(n), "oci-layout", OCI_LAYOUT);
            }
            while (entry != null) {
                entry(tar, entry, inc);
                entry = tar.getNextEntry();
            }
            tee.drain();
            finish(inc);
        } catch (IOException | RuntimeException e) {
            String why = "reading the export failed: " + e;
            for (Node n : inc) {
                if (n.failure == null) {
                    n.failure = why;
                }
            }
            for (Node n : inc) {
                close(n);
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
            for (Node n : nodes) {
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
        String name = clean(first.getName());
        int slash = name.indexOf('/');
        String top = slash < 0 ? name : name.substring(0, slash);
        if (top.equals("blobs") || name.equals("oci-layout") || name.equals("index.json")
                || name.equals("manifest.json") || name.equals("repositories")) {
            return null;
        }
        String stem = top.endsWith(".json") ? top.substring(0, top.length() - 5)
                : top.endsWith(".tar") ? top.substring(0, top.length() - 4) : top;
        if (HEX64.matcher(stem).matches()) {
            return null;
        }
        return "first entry '" + name + "'";
    }

    // ---- entries -------------------------------------------------------------------------------------

    private void entry(TarArchiveInputStream tar, TarArchiveEntry e, List<Node> inc)
            throws IOException, InterruptedException {
        String name = clean(e.getName());
        if (e.isDirectory()) {
            return;
        }
        if (e.isLink()) {
            links.put(name, normalize(e.getLinkName()));
            return;
        }
        if (e.isSymbolicLink()) {
            int slash = name.lastIndexOf('/');
            String target = e.getLinkName().startsWith("/") ? e.getLinkName()
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
    private void layer(TarArchiveInputStream tar, String name, long size, String digest, List<Node> inc)
            throws IOException, InterruptedException {
        entryDigest.put(name, digest);
        sizes.putIfAbsent(digest, size);
        if (!streamed.add(digest)) {
            return; // the same layer twice in one image: one blob
        }
        List<Node> to = inc.stream().filter(n -> n.incremental() && !n.held.contains(digest)).toList();
        copyEntry(tar, "blobs/sha256/" + hex(digest), size, to, null);
        for (Node n : to) {
            if (n.sent.add(digest)) {
                n.bytesSent += size;
            }
        }
    }

    /**
     * A layer file whose digest is unknown until read: sent to every node lacking any layer not yet
     * seen (it may be that one), hashed on the way.
     */
    private void unidentifiedLayer(TarArchiveInputStream tar, String name, long size, List<Node> inc)
            throws IOException, InterruptedException {
        Set<String> unseen = new LinkedHashSet<>(layers);
        unseen.removeAll(streamed);
        List<Node> to = inc.stream()
                .filter(n -> n.incremental() && unseen.stream().anyMatch(d -> !n.held.contains(d)))
                .toList();
        MessageDigest md = LegacyLayerIds.digest();
        copyEntry(tar, "blobs/sha256/unidentified-" + (++unidentified), size, to, md);
        String digest = "sha256:" + HexFormat.of().formatHex(md.digest());
        entryDigest.put(name, digest);
        if (layers.contains(digest)) {
            sizes.putIfAbsent(digest, size);
            streamed.add(digest);
            for (Node n : to) {
                if (n.sent.add(digest)) {
                    n.bytesSent += size;
                }
            }
        }
    }

    private void copyEntry(TarArchiveInputStream tar, String blobName, long size, List<Node> to, MessageDigest md)
            throws IOException, InterruptedException {
        if (!to.isEmpty()) {
            begin(to, blobName, size);
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
                send(to, chunk);
            }
            left -= n;
        }
        if (!to.isEmpty()) {
            pad(to, size);
        }
    }

    // ---- the end: config, manifest, index ----------------------------------------------------------------

    private void finish(List<Node> inc) throws InterruptedException {
        String common = commonProblem();
        byte[] manifest = null;
        byte[] index = null;
        if (common == null) {
            manifest = manifest();
            index = index(manifest);
        }
        for (Node n : inc) {
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
                List<Node> one = List.of(n);
                sendFile(one, "blobs/sha256/" + hex(imageId), config);
                sendFile(one, "blobs/sha256/" + LegacyLayerIds.sha256(manifest), manifest);
                sendFile(one, "index.json", index);
            }
            close(n);
        }
    }

    /** What keeps every node from an incremental import, or null. */
    private String commonProblem() {
        if (config == null) {
            return configProblem != null ? configProblem : "the image config " + shortDigest(imageId) + " was not in the export";
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
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mediaType", CONFIG_TYPE);
        config.put("digest", imageId);
        config.put("size", this.config.length);
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
        return goJson(m);
    }

    /** index.json naming the manifest as {@code nodeRef}, like containerd's import of the legacy export. */
    private byte[] index(byte[] manifest) {
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
        return goJson(index);
    }

    /**
     * Compact JSON in the given member order, escaping {@code <}, {@code >} and {@code &} as Go's
     * encoder does, so the bytes (and so the digests) equal what containerd writes itself.
     */
    static byte[] goJson(Object value) {
        try {
            return GO_JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper GO_JSON = new ObjectMapper(new JsonFactory()
            .setCharacterEscapes(new GoEscapes()));

    /** Go's encoding/json escapes HTML-significant characters. */
    private static final class GoEscapes extends CharacterEscapes {
        private final int[] table;

        GoEscapes() {
            table = standardAsciiEscapesForJSON();
            table['<'] = ESCAPE_CUSTOM;
            table['>'] = ESCAPE_CUSTOM;
            table['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
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

    // ---- writing node archives ---------------------------------------------------------------------------

    private static byte[] header(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(size);
        e.setMode(0100644);
        e.setModTime(0L);
        e.setUserName("");
        e.setGroupName("");
        byte[] h = new byte[512];
        try {
            e.writeEntryHeader(h, UTF8, true);
        } catch (IOException impossible) {
            throw new IllegalStateException("cannot encode tar entry name " + name, impossible);
        }
        return h;
    }

    private static int padding(long size) {
        int rem = (int) (size % 512);
        return rem == 0 ? 0 : 512 - rem;
    }

    private static void begin(List<Node> to, String name, long size) throws InterruptedException {
        byte[] h = header(name, size);
        send(to, h);
        for (Node n : to) {
            n.entryLeft = size + padding(size);
        }
    }

    private static void pad(List<Node> to, long size) throws InterruptedException {
        int p = padding(size);
        if (p > 0) {
            send(to, new byte[p]);
        }
    }

    private static void sendFile(List<Node> to, String name, byte[] data) throws InterruptedException {
        byte[] all = new byte[512 + data.length + padding(data.length)];
        System.arraycopy(header(name, data.length), 0, all, 0, 512);
        System.arraycopy(data, 0, all, 512, data.length);
        send(to, all);
    }

    private static void send(List<Node> to, byte[] chunk) throws InterruptedException {
        for (Node n : to) {
            if (n.gone) {
                continue;
            }
            if (n.sink.offer(chunk)) {
                n.entryLeft = Math.max(0, n.entryLeft - chunk.length);
            } else {
                n.gone = true;
            }
        }
    }

    /** Completes the tar entry under way with zeros, ends the archive, ends the stream. */
    private static void close(Node n) throws InterruptedException {
        if (!n.gone) {
            List<Node> one = List.of(n);
            while (n.entryLeft > 0) {
                send(one, new byte[(int) Math.min(CHUNK, n.entryLeft)]);
                if (n.gone) {
                    break;
                }
            }
            send(one, new byte[1024]);
        }
        n.sink.end();
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
            String stem = part.endsWith(".tar") ? part.substring(0, part.length() - 4)
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

    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    private static String normalize(String path) {
        List<String> out = new ArrayList<>();
        for (String part : clean(path).split("/")) {
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


    /**
     * Counts the raw export bytes the parser consumes and hands them on to the nodes taking a full
     * import; holds them until {@link #release} says which nodes those are (the layout is known).
     */
    private static final class Tee extends InputStream {
        private final InputStream in;
        private ByteArrayOutputStream held = new ByteArrayOutputStream();
        private List<Node> fulls = List.of();
        private byte[] pending = new byte[CHUNK];
        private int pendingLength;
        long count;

        Tee(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (held != null) {
                    held.write(b, off, n);
                } else if (!fulls.isEmpty()) {
                    append(b, off, n);
                }
            }
            return n;
        }

        boolean released() {
            return held == null;
        }

        void release(List<Node> fullNodes) throws IOException {
            byte[] before = held.toByteArray();
            held = null;
            fulls = fullNodes;
            if (!fulls.isEmpty()) {
                append(before, 0, before.length);
            }
        }

        /** Reads the rest of the raw export (to the full nodes, if any). */
        void drain() throws IOException {
            if (held != null) {
                release(List.of());
            }
            byte[] buf = new byte[CHUNK];
            while (read(buf, 0, buf.length) >= 0) {
                // counted and handed on by read
            }
            flush();
        }

        private void append(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, pending.length - pendingLength);
                System.arraycopy(b, off, pending, pendingLength, n);
                pendingLength += n;
                off += n;
                len -= n;
                if (pendingLength == pending.length) {
                    flush();
                }
            }
        }

        void flush() throws IOException {
            if (pendingLength == 0 || fulls.isEmpty()) {
                return;
            }
            byte[] chunk = pendingLength == pending.length ? pending : Arrays.copyOf(pending, pendingLength);
            pending = new byte[CHUNK];
            pendingLength = 0;
            try {
                send(fulls, chunk);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while loading");
            }
        }
    }
}
