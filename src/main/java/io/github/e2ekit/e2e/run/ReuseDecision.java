package io.github.e2ekit.e2e.run;

import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What deploy does with a kept environment, decided from its record, this run's inputs and the namespace as found:
 * reuse it as it is, roll the workloads of changed images, re-apply changed manifests, rebuild it, or make a new one.
 */
public record ReuseDecision(Environment environment, String reason) {

    /** As {@code report.json}'s {@code environment} says it. */
    public enum Environment {
        NEW,
        REUSED,
        ROLLED,
        REAPPLIED,
        REBUILT;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The namespace as found: absent, being deleted, labelled with the environment's key, or someone else's. */
    public enum NamespaceState {
        ABSENT,
        TERMINATING,
        OURS,
        OTHER
    }

    /** This run's inputs. */
    public record Inputs(String namespace, Map<String, String> images, String manifestsHash, String pluginVersion) {}

    public static ReuseDecision decide(EnvironmentKey key, ReuseRecord record, Inputs now, NamespaceState ns) {
        if (record == null || !key.equals(record.key())) {
            return ns == NamespaceState.OURS
                    ? new ReuseDecision(Environment.REBUILT, "no record of the environment in its namespace")
                    : new ReuseDecision(Environment.NEW, null);
        }
        if (!Objects.equals(record.namespace, now.namespace())) {
            return rebuild("the namespace changed (" + record.namespace + " → " + now.namespace() + ")");
        }
        switch (ns) {
            case ABSENT:
                return rebuild("namespace " + record.namespace + " is gone");
            case TERMINATING:
                return rebuild("namespace " + record.namespace + " is being deleted");
            case OTHER:
                return rebuild("namespace " + record.namespace + " is not the one this plugin kept");
            default:
                break;
        }
        if (!Objects.equals(record.pluginVersion, now.pluginVersion())) {
            return rebuild("the plugin changed (" + record.pluginVersion + " → " + now.pluginVersion() + ")");
        }
        if (!Objects.equals(record.manifestsHash, now.manifestsHash())) {
            return new ReuseDecision(Environment.REAPPLIED, "the manifests changed");
        }
        TreeSet<String> changed = new TreeSet<>();
        now.images().forEach((id, imageId) -> {
            if (!Objects.equals(record.images.get(id), imageId)) {
                changed.add(id);
            }
        });
        record.images.keySet().stream()
                .filter(id -> !now.images().containsKey(id))
                .forEach(changed::add);
        if (!changed.isEmpty()) {
            return new ReuseDecision(Environment.ROLLED, "image(s) changed: " + String.join(", ", changed));
        }
        return new ReuseDecision(Environment.REUSED, null);
    }

    public static ReuseDecision rebuild(String reason) {
        return new ReuseDecision(Environment.REBUILT, reason);
    }

    /** Whether deploy applies the manifests (everything but a reuse as it is). */
    public boolean applies() {
        return environment != Environment.REUSED;
    }
}
