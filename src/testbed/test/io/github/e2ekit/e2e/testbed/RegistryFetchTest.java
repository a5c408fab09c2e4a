package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryFetchTest {

    @Test
    void describesTheEndpointWithoutTheCredentials() {
        RegistryFetch fetch = new RegistryFetch("http://127.0.0.1:41234/v2", "kind-registry:5000", "it-user:Secret-42");
        assertThat(fetch.toString())
                .contains("http://127.0.0.1:41234/v2", "kind-registry:5000")
                .doesNotContain("it-user", "Secret-42");
    }
}
