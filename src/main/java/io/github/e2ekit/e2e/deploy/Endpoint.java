package io.github.e2ekit.e2e.deploy;

/** An exported endpoint: where the tests reach it. */
public record Endpoint(String name, String host, int port, String pod) {
    public String url() {
        return "http://" + host + ":" + port;
    }
}
