package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node's containerd image store ({@code k8s.io} namespace), read and changed with {@code ctr},
 * one small verb per method.
 */
public final class NodeImageStore {
    public static final String NAMESPACE = "--namespace=k8s.io";
    static final String UNCOMPRESSED_LABEL = "containerd.io/uncompressed";
    private static final String SEPARATOR = "--e2e-content--";
    private static final String END = "--e2e-end--";
    private static final Pattern SNAPSHOTTER = Pattern.compile("(?m)^\\s*snapshotter\\s*=\\s*\"([^\"]+)\"");

    private final Engine engine;
    private final KindNode node;
    private volatile String snapshotter;

    public NodeImageStore(Engine engine, KindNode node) {
        this.engine = engine;
        this.node = node;
    }

    public KindNode node() {
        return node;
    }

    /** One image record as ctr lists it. */
    public record NodeImage(String reference, String manifestDigest) {}

    /** Every reference in the store with its manifest digest. */
    public List<NodeImage> list() {
        return parseList(ctr("images", "ls").stdout());
    }

    static List<NodeImage> parseList(String imagesLs) {
        List<NodeImage> out = new ArrayList<>();
        imagesLs.lines().skip(1).forEach(line -> {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 3 && cols[2].startsWith("sha256:")) {
                out.add(new NodeImage(cols[0], cols[2]));
            }
        });
        return out;
    }

    /**
     * Maps each reference to its image ID (the config digest, which equals the engine's image ID).
     * The CRI plugin names every image also by its ID ({@code sha256:<id>}), which gives the mapping
     * without reading content; manifests without such a name are read with {@code ctr content get}.
     */
    public Map<String, String> imageIds() {
        return imageIds(list());
    }

    private Map<String, String> imageIds(List<NodeImage> images) {
        Map<String, String> idByManifest = new HashMap<>();
        for (NodeImage i : images) {
            if (i.reference().startsWith("sha256:")) {
                idByManifest.put(i.manifestDigest(), i.reference());
            }
        }
        Map<String, String> out = new HashMap<>();
        for (NodeImage i : images) {
            String id = idByManifest.get(i.manifestDigest());
            if (id == null) {
                id = configDigest(i.manifestDigest()).orElse(null);
                if (id != null) {
                    idByManifest.put(i.manifestDigest(), id);
                }
            }
            if (id != null) {
                out.put(i.reference(), id);
            }
        }
        return out;
    }

    /**
     * Every blob in the node's content store ({@code ctr content ls}), mapped to the digest of its
     * uncompressed form: the {@code containerd.io/uncompressed} label where the blob has one, else the
     * blob's own digest. Uncompressed layers are labelled with their own digest; a compressed layer maps
     * to its diff ID.
     */
    public Map<String, String> contentBlobs() {
        ExecResult r = ctr("content", "ls");
        require(r, "content ls");
        return parseBlobs(r.stdout());
    }

    static Map<String, String> parseBlobs(String contentLs) {
        Map<String, String> out = new HashMap<>();
        contentLs.lines().skip(1).forEach(line -> {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 0 || !cols[0].startsWith("sha256:")) {
                return;
            }
            String uncompressed = cols[0];
            String labels = cols[cols.length - 1];
            for (String kv : labels.split(",")) {
                if (kv.startsWith(UNCOMPRESSED_LABEL + "=")) {
                    uncompressed = kv.substring(UNCOMPRESSED_LABEL.length() + 1);
                }
            }
            out.put(cols[0], uncompressed);
        });
        return out;
    }

    /** A node's names ({@link #imageIds}) and content store ({@link #contentBlobs}), read together. */
    public record Snapshot(Map<String, String> imageIds, Map<String, String> contentBlobs) {}

    /**
     * {@link #imageIds} and {@link #contentBlobs} from one exec ({@code sh -c 'ctr images ls; ctr content
     * ls'}): each exec costs a round of engine calls, which adds up over nodes and loads. A node without
     * a shell is read with one exec per list.
     */
    public Snapshot snapshot() {
        String ctr = "ctr " + NAMESPACE + " ";
        ExecResult r = NodeExec.run(
                engine,
                node.containerId(),
                "sh",
                "-c",
                ctr + "images ls && echo " + SEPARATOR + " && " + ctr + "content ls && echo " + END);
        String[] parts = r.ok() ? split(r.stdout()) : null;
        if (parts == null) {
            return new Snapshot(imageIds(), contentBlobs()); // no shell, a failing ctr, or cut off: one by one
        }
        return new Snapshot(imageIds(parseList(parts[0])), parseBlobs(parts[1]));
    }

    /** {@code images ls} and {@code content ls} output from the combined read; null unless both are whole. */
    static String[] split(String stdout) {
        int at = stdout.indexOf("\n" + SEPARATOR + "\n");
        if (at < 0 || !stdout.endsWith("\n" + END + "\n")) {
            return null;
        }
        return new String[] {
            stdout.substring(0, at + 1),
            stdout.substring(at + SEPARATOR.length() + 2, stdout.length() - END.length() - 1)
        };
    }

    /**
     * The config digest of a manifest, or of an index's manifest for the node's platform, read from the
     * content store ({@link NodeContent}); empty when the node cannot say.
     */
    public Optional<String> configDigest(String manifestDigest) {
        try {
            NodeContent.Config c = new NodeContent(engine, node)
                    .configs(Set.of(manifestDigest))
                    .get(manifestDigest);
            return Optional.ofNullable(c == null ? null : c.digest());
        } catch (NodeCommandException e) {
            return Optional.empty();
        }
    }

    /**
     * The snapshotter the node's CRI uses, from {@code containerd config dump}; overlayfs when not said.
     * Asked once per store (a node's containerd config does not change while it runs).
     */
    public String snapshotter() {
        String s = snapshotter;
        if (s == null) {
            s = readSnapshotter();
            snapshotter = s;
        }
        return s;
    }

    private String readSnapshotter() {
        ExecResult r = NodeExec.run(engine, node.containerId(), "containerd", "config", "dump");
        if (!r.ok()) {
            return "overlayfs";
        }
        String cri = r.stdout();
        int section = cri.indexOf("[plugins.\"io.containerd.grpc.v1.cri\".containerd]");
        Matcher m = SNAPSHOTTER.matcher(section >= 0 ? cri.substring(section) : cri);
        return m.find() ? m.group(1) : "overlayfs";
    }

    /**
     * Imports the image archive {@code archive} (a legacy or OCI-layout tar; it must end by itself, see
     * {@link NodeExec}) as kind does: {@code ctr images import --digests --snapshotter=<the node's> -}.
     */
    public ExecResult importArchive(java.io.InputStream archive, String snapshotter) {
        return NodeExec.run(
                engine,
                node.containerId(),
                archive,
                30,
                "ctr",
                NAMESPACE,
                "images",
                "import",
                "--digests",
                "--snapshotter=" + snapshotter,
                "-");
    }

    /** Adds {@code target} as another name of the image named {@code source}. */
    public void tag(String source, String target) {
        require(ctr("images", "tag", "--force", source, target), "images tag " + source + " " + target);
    }

    /** Sets containerd labels on a reference (none: nothing to do). */
    public void label(String reference, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("images", "label", reference));
        labels.forEach((k, v) -> args.add(k + "=" + v));
        require(ctr(args.toArray(String[]::new)), "images label " + reference);
    }

    /** References with their containerd labels, as {@code ctr images ls} shows them. */
    public Map<String, Map<String, String>> labels() {
        Map<String, Map<String, String>> out = new HashMap<>();
        ctr("images", "ls").stdout().lines().skip(1).forEach(line -> {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 6) {
                Map<String, String> l = new HashMap<>();
                for (String kv : cols[cols.length - 1].split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        l.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
                out.put(cols[0], l);
            }
        });
        return out;
    }

    /** Removes references; missing ones are not an error. */
    public void remove(List<String> references) {
        if (references.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("ctr", NAMESPACE, "images", "rm"));
        cmd.addAll(references);
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd.toArray(String[]::new));
        if (!r.ok() && !r.failureText().contains("not found")) {
            throw new NodeCommandException(node.name(), "ctr images rm", "failed: " + r.failureText());
        }
    }

    ExecResult ctr(String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "ctr";
        cmd[1] = NAMESPACE;
        System.arraycopy(args, 0, cmd, 2, args.length);
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd);
        if (r.exitCode() == 126 || r.exitCode() == 127) {
            throw new NodeCommandException(
                    node.name(),
                    "ctr",
                    "cannot run: the node has no 'ctr' (" + r.failureText() + "); is this a kind node?");
        }
        return r;
    }

    private void require(ExecResult r, String what) {
        if (!r.ok()) {
            throw new NodeCommandException(node.name(), "ctr " + what, "failed: " + r.failureText());
        }
    }
}
