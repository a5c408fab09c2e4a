package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.e2ekit.e2e.image.Engine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which image a manifest or index digest names in one node's containerd content store: a manifest's
 * {@code config.digest}; for an index, the config of the manifest for the node's platform (as containerd's CRI
 * picks it: {@code internal/cri/store/image/image.go} reads the config {@code images.Config} finds for the
 * node platform). One exec reads the node's architecture and every blob asked; an index costs one more exec
 * for the platform manifests it names.
 */
public final class NodeContent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    static final String BLOB = "--e2e-blob--";
    static final String MISSING = "--e2e-missing--";
    static final String END = "--e2e-end--";

    private final Engine engine;
    private final KindNode node;

    public NodeContent(Engine engine, KindNode node) {
        this.engine = engine;
        this.node = node;
    }

    /** The config digest of a digest, or why it has none here. */
    public record Config(String digest, String problem) {
        static Config of(String digest) {
            return new Config(digest, null);
        }

        static Config none(String problem) {
            return new Config(null, problem);
        }
    }

    /** Resolves every digest to its config on this node; each digest asked gets an answer. */
    public Map<String, Config> configs(Set<String> digests) {
        Map<String, Config> out = new LinkedHashMap<>();
        List<String> valid = new ArrayList<>();
        for (String d : digests) {
            if (DIGEST.matcher(d).matches()) {
                valid.add(d);
            } else {
                out.put(d, Config.none("'" + d + "' is not a sha256 digest"));
            }
        }
        if (valid.isEmpty()) {
            return out;
        }
        Read first = read(valid);
        Map<String, String> child = new LinkedHashMap<>();
        for (String d : valid) {
            String blob = first.blobs().get(d);
            if (blob == null) {
                out.put(d, Config.none("the node's content store does not hold " + d));
                continue;
            }
            Step s = step(blob, first.platform());
            if (s.config() != null || s.problem() != null) {
                out.put(d, new Config(s.config(), s.problem()));
            } else {
                child.put(d, s.child());
            }
        }
        if (!child.isEmpty()) {
            Read second = read(new ArrayList<>(new LinkedHashSet<>(child.values())));
            child.forEach((index, manifest) -> {
                String blob = second.blobs().get(manifest);
                Step s = blob == null
                        ? new Step(null, null, "the node lacks manifest " + manifest + " of index " + index)
                        : step(blob, first.platform());
                out.put(
                        index,
                        s.config() != null
                                ? Config.of(s.config())
                                : Config.none(
                                        s.problem() != null ? s.problem() : "index " + index + " names another index"));
            });
        }
        return out;
    }

    /** The node's platform and the blobs read, from one exec. */
    record Read(Platform platform, Map<String, String> blobs) {}

    private Read read(List<String> digests) {
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "uname -m; for d in \"$@\"; do echo \"" + BLOB + " $d\"; ctr " + NodeImageStore.NAMESPACE
                        + " content get \"$d\" || echo \"" + MISSING + "\"; echo; done; echo " + END,
                "sh"));
        cmd.addAll(digests);
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd.toArray(String[]::new));
        if (!r.ok() || !r.stdout().contains(END)) {
            throw new NodeCommandException(node.name(), "ctr content get", "failed: " + r.failureText());
        }
        return parse(r.stdout());
    }

    /** Parses the combined output: the first line is {@code uname -m}, then one block per digest. */
    static Read parse(String stdout) {
        int nl = stdout.indexOf('\n');
        Platform platform = Platform.ofMachine(
                nl < 0 ? stdout.strip() : stdout.substring(0, nl).strip());
        Map<String, String> blobs = new LinkedHashMap<>();
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : (nl < 0 ? "" : stdout.substring(nl + 1)).split("\n", -1)) {
            if (line.startsWith(BLOB + " ") || line.equals(END)) {
                if (current != null && !body.toString().lines().anyMatch(MISSING::equals)) {
                    blobs.put(current, body.toString());
                }
                current = line.equals(END)
                        ? null
                        : line.substring(BLOB.length() + 1).strip();
                body.setLength(0);
                if (line.equals(END)) {
                    break;
                }
            } else if (current != null) {
                body.append(line).append('\n');
            }
        }
        return new Read(platform, blobs);
    }

    /** One blob read: a manifest gives its config; an index the manifest to read next; else a problem. */
    record Step(String config, String child, String problem) {}

    static Step step(String blob, Platform platform) {
        JsonNode json;
        try {
            json = JSON.readTree(blob);
        } catch (IOException e) {
            return new Step(null, null, "its content is not JSON (not a manifest or index)");
        }
        if (json == null) {
            return new Step(null, null, "its content is empty");
        }
        String configDigest = json.path("config").path("digest").asText("");
        if (DIGEST.matcher(configDigest).matches()) {
            return new Step(configDigest, null, null);
        }
        JsonNode manifests = json.path("manifests");
        if (manifests.isArray()) {
            String chosen = platform.choose(manifests);
            return chosen != null
                    ? new Step(null, chosen, null)
                    : new Step(null, null, "the index has no manifest for the node's platform " + platform);
        }
        return new Step(null, null, "it is neither an image manifest nor an index");
    }

    /** A node's platform as containerd matches it (os, architecture, variant). */
    record Platform(String os, String architecture, String variant) {
        /** From {@code uname -m}, the names Go's GOARCH uses. */
        static Platform ofMachine(String machine) {
            return switch (machine) {
                case "x86_64", "amd64" -> new Platform("linux", "amd64", null);
                case "aarch64", "arm64" -> new Platform("linux", "arm64", "v8");
                case "armv7l", "armv7" -> new Platform("linux", "arm", "v7");
                case "armv6l" -> new Platform("linux", "arm", "v6");
                case "i686", "i386" -> new Platform("linux", "386", null);
                default -> new Platform("linux", machine, null);
            };
        }

        /**
         * The digest of the first manifest for this platform: same os and architecture, and the same variant
         * where both say one (arm64's {@code v8} is its default, as containerd/platforms normalises it).
         */
        String choose(JsonNode manifests) {
            for (JsonNode m : manifests) {
                JsonNode p = m.path("platform");
                String digest = m.path("digest").asText("");
                if (!DIGEST.matcher(digest).matches()
                        || !os.equals(p.path("os").asText(""))
                        || !architecture.equals(p.path("architecture").asText(""))) {
                    continue;
                }
                String v = p.path("variant").asText("");
                if (v.isEmpty() || variant == null || v.equals(variant)) {
                    return digest;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return os + "/" + architecture + (variant == null ? "" : "/" + variant);
        }
    }
}
