package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.EngineKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterLockTest {
    @Test
    void aCallerWaitsLongerThanTheHoldersCreationMayTake() {
        KindCli slow = new KindCli("kind", EngineKind.DOCKER, line -> {}, Duration.ofMinutes(30));
        assertThat(ClusterLock.maxWait(slow)).isEqualTo(Duration.ofMinutes(35));
        assertThat(ClusterLock.maxWait(null)).isEqualTo(Duration.ofMinutes(15));
    }
}
