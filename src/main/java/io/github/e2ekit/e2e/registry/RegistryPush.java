package io.github.e2ekit.e2e.registry;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageInfo;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.PushOutcome;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.ledger.PushRecords;
import io.github.e2ekit.e2e.ledger.Recorded;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * {@code load.mode=registry}: pushes the exact image this run built to a registry, for clusters that
 * are not kind (shared or remote ones) and pull. The local image gets the registry name as a second
 * tag (recorded, so teardown removes it), the engine pushes it with the given credentials, and the
 * registry's manifest digest comes back: later goals name the image {@code <name>:<tag>@sha256:<digest>},
 * so a node pulls exactly these bytes whatever happens to the tag meanwhile.
 */
public final class RegistryPush {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** The engine client's HTTP library logs request headers (X-Registry-Auth: the credentials) at DEBUG here. */
    public static final List<String> HTTP_LOGGERS =
            List.of("org.apache.hc.client5.http.headers", "org.apache.hc.client5.http.wire");

    private final Engine engine;
    private final Ledger ledger;
    private Duration timeout = Duration.ofMinutes(10);

    public RegistryPush(Engine engine, Ledger ledger) {
        this.engine = engine;
        this.ledger = ledger;
    }

    public RegistryPush withTimeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** A pushed image: {@link #pinned()} is what manifests get. */
    public record Pushed(String id, String reference, String digest, long bytes, Duration took) {
        public String pinned() {
            return reference + "@" + digest;
        }

        public String summary() {
            double seconds = Math.max(took.toMillis(), 1) / 1000.0;
            return String.format(Locale.ROOT, "pushed %s (%.1f MB, %.1f s)", pinned(), bytes / 1e6, seconds);
        }
    }

    /**
     * Pushes {@code local} (which must still be the image {@code expectedImageId}, when given) to
     * {@code target} as the image {@code id} of this run.
     */
    public Pushed push(
            String id,
            ImageReference local,
            String expectedImageId,
            RegistryTarget target,
            RegistryCredentials credentials,
            Consumer<String> progress) {
        long started = System.nanoTime();
        if (!credentials.isAnonymous()) {
            refuseIfHeadersLogged(credentials);
        }
        String stored = engine.storedName(local);
        ImageInfo image = engine.inspectImage(stored)
                .orElseThrow(() -> new RegistryException("image " + local
                        + " is not in the engine (removed since it was built?): run 'build' again before 'load'"));
        if (expectedImageId != null && !Engine.sameImageId(image.id(), expectedImageId)) {
            throw new RegistryException("image " + local + " is now " + image.id() + ", but this run built "
                    + expectedImageId + ": something re-tagged it since; run 'build' again");
        }
        ImageReference remote = target.referenceFor(local);
        String already = idOf(remote);
        if (already != null && !Engine.sameImageId(already, image.id())) {
            throw new RegistryException("the local name " + remote + " already names another image (" + already
                    + "), which this run did not tag: remove it ('docker rmi " + remote + "') or push elsewhere");
        }
        // a name not ours is never removed
        Recorded<PushEntry> entry = already != null
                ? ledger.pushes().reuse(id, target.toString(), remote.toString(), image.id())
                : ledger.pushes().intend(id, target.toString(), remote.toString(), image.id());
        if (already == null) {
            engine.tag(image.id(), remote.repository(), remote.tag());
            entry.confirm();
        }
        progress.accept(
                "pushing " + local + " as " + remote + " to " + target.host() + " with " + credentials.describe());
        String digest = send(remote, target, credentials);
        PushRecords.pushed(entry, digest);
        return new Pushed(id, remote.toString(), digest, image.size(), Duration.ofNanos(System.nanoTime() - started));
    }

    private String idOf(ImageReference reference) {
        return engine.inspectImage(engine.storedName(reference))
                .map(ImageInfo::id)
                .orElse(null);
    }

    /** Credentials travel in a request header: never while the HTTP library writes headers into the log. */
    static void refuseIfHeadersLogged(RegistryCredentials credentials) {
        for (String name : HTTP_LOGGERS) {
            if (LoggerFactory.getLogger(name).isDebugEnabled()) {
                throw new RegistryException("logger " + name + " is at debug level and would write the registry"
                        + " credentials (the X-Registry-Auth header) into the log: set it to info (Maven:"
                        + " -Dorg.slf4j.simpleLogger.log." + name + "=info) to push with " + credentials.describe());
            }
        }
    }

    private String send(ImageReference remote, RegistryTarget target, RegistryCredentials credentials) {
        PushOutcome outcome;
        try {
            outcome = engine.push(remote.repository(), remote.tag(), credentials.toAuth(target.host()), timeout);
        } catch (TimeoutException e) {
            throw new RegistryException("pushing " + remote + " did not finish within " + timeout.toSeconds()
                    + " s: check the network to " + target.host());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("pushing " + remote + " was interrupted");
        }
        if (outcome.error() != null) {
            throw new RegistryException(failure(remote, target, credentials, outcome.error()));
        }
        String d = outcome.digest();
        if (d == null || !DIGEST.matcher(d).matches()) {
            throw new RegistryException("the engine pushed " + remote + " but reported no manifest digest (got '" + d
                    + "'): cannot pin the image; check the registry's logs");
        }
        return d;
    }

    /** One line from an engine's or transport's error text: secrets masked, what to do added. */
    static String failure(ImageReference remote, RegistryTarget target, RegistryCredentials credentials, String raw) {
        return explain(remote, target, credentials, oneLine(credentials.redact(raw)));
    }

    /** The engine's message with what to do about it; the registry host names the parameter. */
    static String explain(
            ImageReference remote, RegistryTarget target, RegistryCredentials credentials, String message) {
        String m = message.toLowerCase(Locale.ROOT);
        String head = "pushing " + remote + " failed: " + message;
        if (m.contains("connection refused")
                || m.contains("no such host")
                || m.contains("i/o timeout")
                || m.contains("no route to host")
                || m.contains("network is unreachable")) {
            return "registry " + target.host() + " is unreachable (" + message + "): check <load><registry> and that"
                    + " the registry runs";
        }
        if (m.contains("http response to https client")) {
            return head + " — the registry speaks plain HTTP: serve it with TLS, or declare it insecure to the engine"
                    + " (Docker: insecure-registries in daemon.json; Podman: insecure = true in registries.conf)";
        }
        if (m.contains("unauthorized")
                || m.contains("authentication required")
                || m.contains("no basic auth")
                || m.contains("denied")
                || m.contains("forbidden")) {
            return "registry " + target.host() + " refused the push with " + credentials.describe() + " (" + message
                    + "): put the right credentials in settings.xml (<server><id>" + target.host()
                    + "</id>…</server>) or log in with 'docker login " + target.host() + "'";
        }
        return head;
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
