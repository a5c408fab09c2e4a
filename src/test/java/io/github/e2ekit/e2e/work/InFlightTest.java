package io.github.e2ekit.e2e.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightTest {
    @Test
    void awaitingEndsWhenTheLastPieceUnderWayEnds() throws Exception {
        InFlight imports = new InFlight();
        InFlight.Token first = imports.begin();
        InFlight.Token second = imports.begin();
        assertThat(imports.close()).isEqualTo(2);
        CompletableFuture<Boolean> none = CompletableFuture.supplyAsync(() -> await(imports, Duration.ofSeconds(10)));
        first.close();
        first.close(); // twice ends it once
        Thread.sleep(200);
        assertThat(none).isNotDone();
        second.close();
        assertThat(none.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(imports.running()).isZero();
    }

    @Test
    void awaitingGivesUpAfterItsBound() throws InterruptedException {
        InFlight imports = new InFlight();
        imports.begin();
        assertThat(imports.awaitNone(Duration.ofMillis(100))).isFalse();
        assertThat(imports.running()).isOne();
    }

    @Test
    void afterCloseNoPieceBegins() {
        InFlight imports = new InFlight();
        assertThat(imports.close()).isZero();
        assertThatThrownBy(imports::begin)
                .isInstanceOf(InFlight.Closed.class)
                .hasMessageContaining("no new node import starts");
        assertThat(imports.running()).isZero();
    }

    private static boolean await(InFlight f, Duration max) {
        try {
            return f.awaitNone(max);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
