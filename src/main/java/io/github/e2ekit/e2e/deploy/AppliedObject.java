package io.github.e2ekit.e2e.deploy;

/** An object as applied: what it is, where it lives, and whether this run created it. */
public record AppliedObject(
        String apiVersion, String kind, String namespace, String name, String uid, boolean created, Manifest manifest) {
    public String describe() {
        return kind + "/" + name + (namespace == null ? "" : " in " + namespace);
    }
}
