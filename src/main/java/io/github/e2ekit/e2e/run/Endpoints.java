package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.Endpoint;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.PortForwarder;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Opens the run's endpoints (port-forwards kept by the run until teardown, or kind NodePorts), waits for their ready
 * paths, and exports them as {@code e2e.endpoint.<name>.url|host|port} and in {@code endpoints.properties}.
 */
final class Endpoints {
    private final Run run;

    Endpoints(Run run) {
        this.run = run;
    }

    void open(KubeApi api, List<EndpointSpec> specs, List<KindNode> nodes) {
        Properties out = new Properties();
        io.github.e2ekit.e2e.deploy.Endpoints endpoints = new io.github.e2ekit.e2e.deploy.Endpoints(api);
        for (EndpointSpec spec : specs) {
            Endpoint e;
            if (spec.nodePort()) {
                e = endpoints.viaNodePort(spec, p -> KindNodes.hostPort(run.engine(), nodes, p));
            } else {
                PortForwarder f = endpoints.open(spec);
                run.keep(f);
                e = new Endpoint(spec.name(), "127.0.0.1", f.localPort(), f.pod());
                run.ledger().portForwards().opened(spec.name(), spec.namespace(), f.pod(), f.localPort(), spec.port());
            }
            run.ledger()
                    .facts()
                    .endpoint(spec.name(), e.url(), e.pod() == null ? "NodePort" : "port-forward to pod " + e.pod());
            if (spec.readyPath() != null && !spec.readyPath().isBlank()) {
                io.github.e2ekit.e2e.deploy.Endpoints.awaitHttp(e, spec.readyPath(), Duration.ofSeconds(60));
            }
            String p = "e2e.endpoint." + spec.name() + ".";
            for (String[] kv :
                    new String[][] {{"url", e.url()}, {"host", e.host()}, {"port", String.valueOf(e.port())}}) {
                run.export(p + kv[0], kv[1]);
                out.setProperty(p + kv[0], kv[1]);
            }
            run.log()
                    .info("endpoint " + spec.name() + " → " + e.url() + " (Service " + spec.service() + ":"
                            + spec.port() + (e.pod() == null ? ", NodePort" : ", pod " + e.pod()) + ")");
        }
        Path dir = run.config().workDirectory();
        try {
            Files.createDirectories(dir);
            try (OutputStream o = Files.newOutputStream(dir.resolve("endpoints.properties"))) {
                out.store(o, "e2e endpoints of run " + run.id());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
