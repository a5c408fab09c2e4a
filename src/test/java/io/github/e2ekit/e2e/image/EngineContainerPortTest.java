package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.junit.jupiter.api.Test;

/** {@link Engine#publishedPort} reads the port binding the engine recorded (as {@code docker port} does). */
class EngineContainerPortTest {
    @Test
    void thePublishedPortComesFromTheRecordedPortBinding() throws Exception {
        String recorded = """
                {"Id":"abc","Name":"/gateway-e2e-control-plane","NetworkSettings":{"Ports":{
                  "6443/tcp":[{"HostIp":"127.0.0.1","HostPort":"41234"}]}}}
                """;
        InspectContainerResponse inspect = new ObjectMapper().readValue(recorded, InspectContainerResponse.class);
        assertThat(Engine.hostPort(inspect, 6443)).contains(41234);
        assertThat(Engine.hostPort(inspect, 80)).isEmpty();
        InspectContainerResponse none = new ObjectMapper()
                .readValue(
                        "{\"Id\":\"abc\",\"Name\":\"/n\",\"NetworkSettings\":{\"Ports\":{}}}",
                        InspectContainerResponse.class);
        assertThat(Engine.hostPort(none, 6443)).isEmpty();
    }
}
