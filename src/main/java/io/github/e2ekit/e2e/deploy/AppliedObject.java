package io.github.e2ekit.e2e.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/** An object as applied: what it is, where it lives, and whether this run created it. */
public record AppliedObject(
        String apiVersion, String kind, String namespace, String name, String uid, boolean created, Manifest manifest) {
    /**
     * An object as a record of the run knows it (the ledger, a kept environment): a manifest of its apiVersion and
     * kind only, {@code source} saying where it came from (e.g. {@code ledger}).
     */
    public static AppliedObject recorded(
            String apiVersion, String kind, String namespace, String name, String uid, boolean created, String source) {
        return new AppliedObject(
                apiVersion,
                kind,
                namespace,
                name,
                uid,
                created,
                new Manifest(new LinkedHashMap<>(Map.of("apiVersion", apiVersion, "kind", kind)), source));
    }

    public String describe() {
        return kind + "/" + name + (namespace == null ? "" : " in " + namespace);
    }
}
