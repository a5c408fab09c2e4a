package io.github.e2ekit.e2e.ledger;

/** An endpoint handed to the tests: a fact of the run (its port-forward, if any, is a {@link PortForwardEntry}). */
public final class EndpointEntry {
    public String name;
    /** The property the tests read ({@code e2e.endpoint.<name>.url}). */
    public String property;

    public String url;
    /** {@code port-forward to pod <pod>} or {@code NodePort}. */
    public String via;
}
