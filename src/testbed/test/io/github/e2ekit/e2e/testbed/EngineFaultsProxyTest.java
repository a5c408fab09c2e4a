package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.dockerjava.api.exception.InternalServerErrorException;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The proxy of {@link EngineFaults} forwards the engine API untouched, and injects exactly the fault asked for. */
class EngineFaultsProxyTest {
    @Test
    void forwardsUntilARuleHitsThenAnswersTheNthMatchWithMobysJsonError() {
        Engine real = TestEngine.require();
        try (EngineFaults faults = EngineFaults.start(real.endpoint());
                Engine through = new EngineDiscovery().connect(faults.host())) {
            assertThat(through.version()).isEqualTo(real.version());
            faults.on("GET", "^/images/json").nth(2).answer500();
            through.client().listImagesCmd().exec(); // the first passes
            Throwable t = catchThrowable(() -> through.client().listImagesCmd().exec());
            assertThat(t).isInstanceOf(InternalServerErrorException.class);
            assertThat(t.getMessage()).contains("{\"message\":\"injected by the test bed");
            assertThat(faults.injected()).isEqualTo(1);
            through.client().listImagesCmd().exec(); // only the second was hit
            assertThat(faults.requests())
                    .filteredOn(r -> r.startsWith("GET /images/json"))
                    .hasSize(3);
        }
    }

    @Test
    void aRestartRefusesConnectionsForAMomentThenServesAgain() throws Exception {
        Engine real = TestEngine.require();
        try (EngineFaults faults = EngineFaults.start(real.endpoint());
                Engine through = new EngineDiscovery().connect(faults.host())) {
            faults.restart(Duration.ofSeconds(2));
            assertThat(catchThrowable(() -> through.client().pingCmd().exec())).isNotNull();
            Thread.sleep(2100);
            through.client().pingCmd().exec();
        }
    }
}
