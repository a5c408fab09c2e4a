package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.work.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * What identifies a reusable environment: the service, the project's canonical location (two checkouts of the same
 * service never share one), the cluster and the API server the kubeconfig names (a re-created cluster on another port
 * is another cluster). Its {@link #hash()} names the record's directory and labels the namespace.
 */
public record EnvironmentKey(String service, String basedir, String cluster, String server) {

    public static EnvironmentKey of(String service, Path basedir, String cluster, String server) {
        return new EnvironmentKey(
                service, canonical(basedir), cluster == null ? "" : cluster, server == null ? "" : server);
    }

    /** The project's location with links resolved (a symlinked checkout is the same checkout). */
    static String canonical(Path basedir) {
        try {
            return basedir.toRealPath().toString();
        } catch (IOException e) {
            return basedir.toAbsolutePath().normalize().toString();
        }
    }

    /** 16 hex characters of SHA-256 over the four parts: a label value and a directory name. */
    public String hash() {
        MessageDigest md = Sha256.digest();
        for (String part : new String[] {service, basedir, cluster, server}) {
            md.update(part.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        return Sha256.hex(md.digest()).substring(0, 16);
    }

    /** The stable namespace of this environment when {@code <namespace>} is not set: {@code e2e-<service>-<hash8>}. */
    public String defaultNamespace() {
        return io.github.e2ekit.e2e.deploy.Namespaces.defaultName(service, hash().substring(0, 8));
    }
}
