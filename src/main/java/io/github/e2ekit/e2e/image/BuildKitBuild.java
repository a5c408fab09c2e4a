package io.github.e2ekit.e2e.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One build through the engine's BuildKit, driven by a docker CLI ({@link DockerCli}): the same tag, labels, build
 * args ({@code E2E_SOURCE_DIGEST} among them), target and cache choice as the API build, plain progress streamed
 * line by line, the image ID from {@code --iidfile}. Secrets go to the CLI as files ({@code --secret id=…,src=…}):
 * a secret from the environment is written to a file only its owner can read, removed after the build (the CLI's
 * own {@code env=} form is ignored by CLIs before 23.0, found here). Neither values nor the command line are logged.
 */
final class BuildKitBuild {
    private final Engine engine;
    private final DockerCli cli;
    private final Map<String, String> environment;

    BuildKitBuild(Engine engine, DockerCli cli, Map<String, String> environment) {
        this.engine = engine;
        this.cli = cli;
        this.environment = environment;
    }

    /** The engine's {@code bridge} network is missing ({@code dockerd --bridge=none}): BuildKit's RUN then needs {@code host}. */
    static String defaultNetwork(Engine engine) {
        boolean bridge = engine.client().listNetworksCmd().exec().stream().anyMatch(n -> "bridge".equals(n.getName()));
        return bridge ? null : "host";
    }

    void run(ImageBuilder.Attempt a, BuildRequest request, boolean noCache, String network) {
        List<Path> temporary = new ArrayList<>();
        Process p = null;
        try {
            Path iid = Files.createTempFile("e2e-iid-", ".txt");
            temporary.add(iid);
            List<String> cmd = cli.buildCommand();
            cmd.addAll(List.of(
                    "--progress=plain",
                    "-f",
                    request.context().dockerfile().toString(),
                    "-t",
                    request.reference(),
                    "--iidfile",
                    iid.toString()));
            new TreeMap<>(request.labels()).forEach((k, v) -> cmd.addAll(List.of("--label", k + "=" + v)));
            request.spec().buildArgs().forEach((k, v) -> cmd.addAll(List.of("--build-arg", k + "=" + v)));
            cmd.addAll(List.of("--build-arg", ImageBuilder.SOURCE_DIGEST_ARG + "=" + request.digest()));
            if (request.spec().target() != null && !request.spec().target().isBlank()) {
                cmd.addAll(List.of("--target", request.spec().target()));
            }
            if (noCache) {
                cmd.add("--no-cache");
            }
            if (request.options().pull()) {
                cmd.add("--pull");
            }
            if (network != null) {
                cmd.addAll(List.of("--network", network));
            }
            for (BuildSecret s : request.options().secrets()) {
                cmd.addAll(List.of("--secret", "id=" + s.id() + ",src=" + secretFile(s, temporary)));
            }
            cmd.add(request.context().root().toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(engine.cliEnvironment());
            pb.environment().put("DOCKER_BUILDKIT", "1");
            p = pb.start();
            p.getOutputStream().close();
            Process running = p;
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = r.readLine()) != null) {
                                a.buildKitLine(line);
                            }
                        } catch (IOException e) {
                            // the process ended
                        }
                    },
                    "e2e-buildkit-" + request.spec().id());
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(request.options().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                reader.join(5_000);
                a.timedOut = true;
                a.failure = new BuildFailedException(
                        request.spec().id(),
                        a.step,
                        a.tail(),
                        "build did not finish within "
                                + request.options().timeout().toMinutes() + " min (buildTimeout); it was stopped");
                return;
            }
            reader.join(10_000);
            if (p.exitValue() != 0) {
                a.failure = ImageBuilder.failure(a, request.spec(), a.buildKitError(p.exitValue()));
                return;
            }
            String id = Files.readString(iid).strip();
            if (!id.isEmpty()) {
                a.imageId = id;
            }
        } catch (IOException e) {
            a.failure = new BuildFailedException(
                    request.spec().id(),
                    a.step,
                    a.tail(),
                    "cannot run " + cli.executable() + ": " + e.getMessage()
                            + " — set <dockerCli>, or build with <builder>classic");
        } catch (InterruptedException e) {
            if (p != null) {
                stop(p);
            }
            Thread.currentThread().interrupt();
            a.failure = new BuildFailedException(request.spec().id(), a.step, a.tail(), "build interrupted");
        } finally {
            for (Path t : temporary) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // a temporary file in the temporary directory
                }
            }
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The file the CLI reads the secret from; a secret from the environment is written to a 0600 file first. */
    private String secretFile(BuildSecret s, List<Path> temporary) throws IOException {
        if (s.file() != null) {
            return s.file().toAbsolutePath().toString();
        }
        Path f;
        try {
            f = Files.createTempFile(
                    "e2e-secret-",
                    "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            f = Files.createTempFile("e2e-secret-", "");
        }
        temporary.add(f);
        Files.writeString(f, environment.getOrDefault(s.env(), ""));
        return f.toString();
    }
}
