package io.github.e2ekit.e2e.kind;

/** A command inside a node failed; the message names the node, the command and its output. */
public class NodeCommandException extends RuntimeException {
    private final String node;

    public NodeCommandException(String node, String command, String detail) {
        super("node " + node + ": '" + command + "' " + detail);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
