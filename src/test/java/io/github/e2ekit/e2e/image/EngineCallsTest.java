package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineCallsTest {
    @Test
    void aFiveHundredIsAskedAgainAndTheSecondAnswerCounts() {
        AtomicInteger calls = new AtomicInteger();
        String r = EngineCalls.idempotent("inspecting x", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new InternalServerErrorException("{\"message\":\"boom\"}\n");
            }
            return "ok";
        });
        assertThat(r).isEqualTo("ok");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aFailedConnectionIsAskedAgainAndGivesUpAfterThreeAttemptsInOneLine() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> EngineCalls.idempotent("the export of app:1", () -> {
                    calls.incrementAndGet();
                    throw new RuntimeException(new SocketException("Connection reset"));
                }))
                .isInstanceOf(EngineException.class)
                .hasMessage("the export of app:1 failed: Connection reset, still after 3 attempts");
        assertThat(calls).hasValue(EngineCalls.ATTEMPTS);
    }

    @Test
    void anAnswerThatIsNotAServerErrorIsPassedOnAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> EngineCalls.idempotent("x", () -> {
                    calls.incrementAndGet();
                    throw new ConflictException("{\"message\":\"Container abc is not running\"}\n");
                }))
                .isInstanceOf(ConflictException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void theEnginesJsonErrorIsWordedAsStatusAndMessageInOneLine() {
        assertThat(EngineCalls.oneLine(new ConflictException("{\"message\":\"Container abc is not running\"}\n")))
                .isEqualTo("HTTP 409: Container abc is not running");
        assertThat(EngineCalls.oneLine(new InternalServerErrorException("not json\nmore")))
                .isEqualTo("HTTP 500: not json");
    }
}
