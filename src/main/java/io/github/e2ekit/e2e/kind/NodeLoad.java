package io.github.e2ekit.e2e.kind;

import java.util.List;

/** What loading one image did in one node. */
public record NodeLoad(KindNode node, Action action, List<String> sideReferences) {
    public enum Action { ALREADY_PRESENT, RETAGGED, IMPORTED }
}
