package io.github.e2ekit.e2e.testbed;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;

/**
 * A second dockerd, started for a test: its own {@code --data-root}, {@code --exec-root} and {@code --pidfile},
 * listening only on {@code tcp://127.0.0.1:<free port>} with {@code --tlsverify}, with a CA, server and client
 * certificates made here with Bouncy Castle (as {@code docker-machine} or a CI's remote engine would have them:
 * the client's {@code ca.pem}, {@code cert.pem}, {@code key.pem} in one directory). Measured here: it answers
 * within about 0.3 s. Stopped (SIGTERM, which also stops the containerd it started) on close.
 *
 * @param process the daemon
 * @param host where it listens, {@code tcp://127.0.0.1:<port>}
 * @param clientCertificates the directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for a client
 * @param logFile the daemon's own log
 */
public record TlsDockerd(Process process, String host, Path clientCertificates, Path logFile) implements AutoCloseable {

    /** Starts one under {@code dir} (which must be short: containerd's sockets live under the exec root). */
    public static TlsDockerd start(Path dir) throws Exception {
        Path dockerd = Path.of("/usr/sbin/dockerd");
        if (!Files.isExecutable(dockerd) || !"root".equals(System.getProperty("user.name"))) {
            String why = "a second dockerd needs /usr/sbin/dockerd and root";
            if (TestEngine.ci()) {
                throw new AssertionError(why + " (CI=true)");
            }
            System.err.println("SKIPPED TLS engine test — " + why);
            Assumptions.abort(why);
        }
        Path server = Files.createDirectories(dir.resolve("server"));
        Path client = Files.createDirectories(dir.resolve("client"));
        writeCertificates(server, client);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("dockerd.log");
        Process p = new ProcessBuilder(List.of(
                        dockerd.toString(),
                        "--data-root",
                        dir.resolve("data").toString(),
                        "--exec-root",
                        dir.resolve("exec").toString(),
                        "--pidfile",
                        dir.resolve("dockerd.pid").toString(),
                        "-H",
                        "tcp://127.0.0.1:" + port,
                        "--tlsverify",
                        "--tlscacert",
                        server.resolve("ca.pem").toString(),
                        "--tlscert",
                        server.resolve("cert.pem").toString(),
                        "--tlskey",
                        server.resolve("key.pem").toString(),
                        "--bridge=none",
                        "--iptables=false",
                        "--ip-masq=false"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        TlsDockerd d = new TlsDockerd(p, "tcp://127.0.0.1:" + port, client, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the second dockerd stopped: " + Files.readString(log));
            }
            if (Files.readString(log).contains("API listen on 127.0.0.1:" + port)) {
                return d;
            }
            Thread.sleep(100);
        }
        d.close();
        throw new IllegalStateException("the second dockerd did not listen within 30 s: " + Files.readString(log));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeCertificates(Path server, Path client) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair ca = gen.generateKeyPair();
        X500Name caName = new X500Name("CN=e2e test CA");
        X509Certificate caCert = sign(caName, ca, caName, ca.getPublic(), true, null, null);
        KeyPair srv = gen.generateKeyPair();
        X509Certificate srvCert = sign(
                caName,
                ca,
                new X500Name("CN=127.0.0.1"),
                srv.getPublic(),
                false,
                KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        KeyPair cli = gen.generateKeyPair();
        X509Certificate cliCert = sign(
                caName, ca, new X500Name("CN=client"), cli.getPublic(), false, KeyPurposeId.id_kp_clientAuth, null);
        for (Path dir : List.of(server, client)) {
            pem(dir.resolve("ca.pem"), caCert);
        }
        pem(server.resolve("cert.pem"), srvCert);
        pem(server.resolve("key.pem"), srv.getPrivate());
        pem(client.resolve("cert.pem"), cliCert);
        pem(client.resolve("key.pem"), cli.getPrivate());
    }

    private static X509Certificate sign(
            X500Name issuer,
            KeyPair issuerKeys,
            X500Name subject,
            java.security.PublicKey key,
            boolean ca,
            KeyPurposeId purpose,
            GeneralNames san)
            throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(key.hashCode() & 0xffff)),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (san != null) {
            b.addExtension(Extension.subjectAlternativeName, false, san);
        }
        PrivateKey signer = issuerKeys.getPrivate();
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    }

    private static void pem(Path file, Object o) throws IOException {
        try (Writer w = Files.newBufferedWriter(file);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
    }

    /** The daemon's own log, for a failing test's message. */
    public String log() throws IOException {
        return Files.readString(logFile);
    }
}
