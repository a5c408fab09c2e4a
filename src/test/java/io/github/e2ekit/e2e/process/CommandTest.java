package io.github.e2ekit.e2e.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void returnsWhatACommandPrintedWithItsEnvironment() {
        assertThat(Command.output(
                        List.of("sh", "-c", "echo \"$E2E_X\"; echo err >&2"),
                        Map.of("E2E_X", "hello"),
                        false,
                        Duration.ofSeconds(10)))
                .isEqualTo("hello\n");
        assertThat(Command.output(
                        List.of("sh", "-c", "echo out; echo err >&2"), Map.of(), true, Duration.ofSeconds(10)))
                .contains("out", "err");
    }

    @Test
    void aFailingOrMissingCommandGivesNull() {
        assertThat(Command.output(List.of("sh", "-c", "echo x; exit 3"), Map.of(), true, Duration.ofSeconds(10)))
                .isNull();
        assertThat(Command.output(List.of("/nonexistent/e2e-cmd"), Map.of(), true, Duration.ofSeconds(10)))
                .isNull();
    }

    @Test
    void theTimeoutHoldsWhileACommandKeepsItsOutputOpen() {
        long start = System.nanoTime();
        // reading the output to its end first (as before) would wait the whole 30 s for the pipe to close
        String out = Command.output(
                List.of("sh", "-c", "echo started; exec sleep 30"), Map.of(), true, Duration.ofMillis(800));
        assertThat(out).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
