package io.github.e2ekit.e2e.teardown;

/** {@code <cluster><delete>}: when teardown deletes the kind cluster (always once no other run uses it). */
public enum ClusterDeletion {
    /** Only a cluster this run created. */
    IF_CREATED,
    /** Also a cluster that existed before. */
    ALWAYS,
    NEVER
}
