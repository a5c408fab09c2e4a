package io.github.e2ekit.e2e.ledger;

/** A Kubernetes object this run applied (or the namespace it created). */
public final class ObjectEntry extends LedgerEntry {
    public String apiVersion;
    public String kind;
    public String namespace;
    public String name;
    public String uid;
    /** True when the object existed before and this run only patched it. */
    public boolean patched;

    /** For the JSON reader. */
    public ObjectEntry() {}

    /** An object about to be applied ({@code INTENDED}). */
    ObjectEntry(String apiVersion, String kind, String namespace, String name) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.namespace = namespace;
        this.name = name;
    }
}
