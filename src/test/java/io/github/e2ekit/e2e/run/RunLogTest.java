package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunLogTest {
    @Test
    void aSinkGetsEveryLineButDebugOnesAsTheyAre() {
        List<String> sink = new ArrayList<>();
        RunLog log = RunLog.to(sink::add);

        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        log.output("o");

        assertThat(sink).containsExactly("i", "w", "e", "o");
    }
}
