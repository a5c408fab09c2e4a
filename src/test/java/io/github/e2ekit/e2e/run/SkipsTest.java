package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SkipsTest {
    @Test
    void eachSwitchSkipsAndIsNamedTheGeneralOnesFirst() {
        assertThat(Skips.reason("deploy", false, false, false, false)).isEmpty();
        assertThat(Skips.reason("deploy", true, true, true, true)).contains("e2e.skip");
        assertThat(Skips.reason("deploy", false, true, true, true)).contains("skipITs");
        assertThat(Skips.reason("deploy", false, false, true, true)).contains("maven.test.skip");
        assertThat(Skips.reason("deploy", false, false, false, true)).contains("e2e.skip.deploy");
        assertThat(Skips.reason("tag", false, false, false, true)).contains("e2e.skip.tag");
    }

    @Test
    void theCleanUpsAskedForByNameAreNotSkippedWithTheTests() {
        for (String goal : new String[] {"down", "reap"}) {
            assertThat(Skips.reason(goal, false, true, true, false)).isEmpty();
            assertThat(Skips.reason(goal, true, true, true, false)).contains("e2e.skip");
            assertThat(Skips.reason(goal, false, true, false, true)).contains("e2e.skip." + goal);
        }
        assertThat(Skips.reason("teardown", false, true, false, false)).contains("skipITs");
    }
}
