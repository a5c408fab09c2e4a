package io.github.e2ekit.e2e.report;

import io.github.e2ekit.e2e.ledger.EndpointEntry;
import io.github.e2ekit.e2e.ledger.ProofEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code target/e2e/report.json} holds: the facts of one run for tools and tests (the log is for people).
 * Public fields: a plain JSON document; fields may be added, none is renamed.
 */
public final class RunReport {
    public String run;
    public String service;
    public String started;
    /** When this report was written (at the end of {@link #goals}' last goal). */
    public String written;

    public Cluster cluster;
    /** The node names of the cluster (as the load found them, else those the run touched). */
    public List<String> nodes = new ArrayList<>();
    /** The namespace the run deployed into, if any. */
    public Namespace namespace;
    /** With {@code reuse}: {@code new|reused|rolled|reapplied|rebuilt} — what deploy did with the kept environment. */
    public String environment;
    /** Why (the images that changed, why it was rebuilt), when there is a reason to tell. */
    public String environmentReason;

    public List<Image> images = new ArrayList<>();
    /** Images loaded through {@code <preload>} (not built by the run). */
    public List<NodeImage> preloaded = new ArrayList<>();

    public List<KubeObject> objects = new ArrayList<>();
    public List<EndpointEntry> endpoints = new ArrayList<>();
    public List<ProofEntry> proofs = new ArrayList<>();
    /** Every goal of the run so far, in order, with its time and outcome. */
    public List<Goal> goals = new ArrayList<>();
    /** The first goal that failed, and its one-line message; null when none failed. */
    public Failure failure;

    public static final class Cluster {
        public String name;
        public String provider;
        /** {@code CREATED} (this run created it), {@code REUSED}, {@code REMOVED}, {@code INTENDED}. */
        public String state;

        public String kubeconfig;
    }

    /** @param created whether this run created it (and so removes it) */
    public record Namespace(String name, String state, boolean created) {}

    public static final class Image {
        /** The configured image id ({@code datastorage}). */
        public String id;

        public String service;
        public String reference;
        public String tag;
        /** The engine's image ID. */
        public String imageId;
        /** The digest of the sources the tag was derived from. */
        public String sourceDigest;
        /** Whether the run built it (false: it was up to date). */
        public boolean built;

        public String state;
        /** What each node holds under the image's name. */
        public List<NodeImage> nodes = new ArrayList<>();
        /** Registry mode: where it was pushed and the digest the registry answered. */
        public Registry registry;
    }

    /** @param action {@code imported}, {@code retagged} or {@code present} */
    public record NodeImage(String node, String reference, String imageId, String action, String state) {}

    /** @param pinned what the manifests named: {@code <registry>/<name>:<tag>@sha256:…} */
    public record Registry(String reference, String digest, String pinned, String state) {}

    /** @param patched true when it existed before and this run only patched it (never removed) */
    public record KubeObject(
            String apiVersion, String kind, String namespace, String name, String state, boolean patched) {}

    public static final class Goal {
        public String goal;
        public String finished;
        public double seconds;
        /** {@code success}, {@code failure}, or {@code interrupted} (SIGINT or SIGTERM while it ran). */
        public String outcome;

        public String failure;
    }

    public static final class Failure {
        public String goal;
        /** The message's first line. */
        public String message;
        /** The whole message, when it has more lines (e.g. a failed container's last log lines, the diagnostics). */
        public String text;
    }
}
