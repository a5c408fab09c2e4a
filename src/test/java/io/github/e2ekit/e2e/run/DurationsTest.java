package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void durationsAreWrittenAsInAPom() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse(" 2H ")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void aWrongDurationNamesItsParameter() {
        assertThatThrownBy(() -> Durations.parse("deploy/timeout", "5 minutes"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("<deploy/timeout> '5 minutes' is not a positive duration; write e.g. 90s, 5m or 2h");
        assertThatThrownBy(() -> Durations.parse("ttl", "0s")).hasMessageContaining("is not a positive duration");
        assertThatThrownBy(() -> Durations.parse("ttl", "")).hasMessage("<ttl> is empty; write e.g. 90s, 5m or 2h");
        assertThatThrownBy(() -> Durations.parse("ttl", "Pxyz")).hasMessageContaining("'Pxyz' is not a duration");
        assertThatThrownBy(() -> Durations.parse("ttl", "5m-")).hasMessageContaining("is not a positive duration");
    }
}
