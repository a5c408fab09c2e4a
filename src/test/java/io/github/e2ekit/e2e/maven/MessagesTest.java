package io.github.e2ekit.e2e.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.run.GoalFailure;
import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void aCoreFailureBecomesOneLineNamingItsParameterWithoutAStackTrace() {
        assertThat(Messages.failure(new DeployException("deploy/timeout", "ran out"))
                        .getMessage())
                .isEqualTo("<deploy/timeout> ran out");
        assertThat(Messages.failure(new DeployException(null, "pod crashed")).getMessage())
                .isEqualTo("deploy: pod crashed");
        assertThat(Messages.failure(new GoalFailure("teardown could not remove 1 thing(s): x")))
                .hasMessage("teardown could not remove 1 thing(s): x")
                .hasNoCause();
    }

    @Test
    void anUnexpectedFailureKeepsItsCauseForMavenX() {
        IllegalStateException e = new IllegalStateException("boom");
        assertThat(Messages.failure(e))
                .hasMessage("IllegalStateException: boom")
                .hasCause(e);
    }
}
