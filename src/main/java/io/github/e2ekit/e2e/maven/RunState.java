package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.util.List;

/**
 * What the goals of one module share within one Maven build: the run id, Phase 0's decisions,
 * and the ledger. Kept in the project's context values, so it never outlives the build.
 */
final class RunState {
    static final String KEY = RunState.class.getName();

    final String run;
    final Ledger ledger;
    List<TagDecision> decisions;
    boolean failed;

    RunState(String run, Ledger ledger) {
        this.run = run;
        this.ledger = ledger;
    }
}
