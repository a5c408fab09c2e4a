package io.github.e2ekit.e2e.image;

import io.github.e2ekit.e2e.process.Command;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A docker CLI that can drive the engine's BuildKit, as the fabric8 docker-maven-plugin's {@code buildx} support and
 * the CLI itself do it: one with the {@code buildx} plugin ({@code docker buildx build --load}), or one older than
 * 23.0, whose {@code docker build} speaks BuildKit itself with {@code DOCKER_BUILDKIT=1} (docker/cli 23.0 moved
 * that to buildx: a newer CLI without buildx fails with "BuildKit is enabled but the buildx component is missing").
 * Found as given ({@code dockerCli}), else the first such {@code docker} on the PATH.
 */
public record DockerCli(Path executable, boolean buildx, String version) {
    private static final Pattern VERSION = Pattern.compile("Docker version (\\d+)\\.(\\d+)\\S*");

    /** The build command before its options: {@code buildx build --load} or {@code build}. */
    public List<String> buildCommand() {
        List<String> cmd = new ArrayList<>(List.of(executable.toString()));
        cmd.addAll(buildx ? List.of("buildx", "build", "--load") : List.of("build"));
        return cmd;
    }

    public String describe() {
        return executable + " " + version + (buildx ? " (buildx)" : " (DOCKER_BUILDKIT=1)");
    }

    /**
     * The usable CLI; else an {@link EngineException} naming every candidate and why it cannot, and the fix.
     *
     * @param configured the {@code dockerCli} parameter (a path or a name on the PATH), or {@code null}
     * @param path       the PATH to search
     * @param why        what needs BuildKit, for the message
     */
    public static DockerCli find(String configured, String path, Map<String, String> engineEnvironment, String why) {
        List<String> rejected = new ArrayList<>();
        for (Path candidate : candidates(configured, path)) {
            String version = run(candidate, List.of("--version"), engineEnvironment);
            Matcher m = version == null ? null : VERSION.matcher(version);
            if (m == null || !m.find()) {
                rejected.add(candidate + ": not a docker CLI");
                continue;
            }
            if (run(candidate, List.of("buildx", "version"), engineEnvironment) != null) {
                return new DockerCli(candidate, true, m.group(1) + "." + m.group(2));
            }
            if (Integer.parseInt(m.group(1)) < 23) {
                return new DockerCli(candidate, false, m.group(1) + "." + m.group(2));
            }
            rejected.add(candidate + ": " + m.group(1) + "." + m.group(2) + " without buildx");
        }
        throw new EngineException(why + " needs BuildKit, which the plugin drives through the docker CLI, and no usable"
                + " one was found (" + (rejected.isEmpty() ? "no docker on the PATH" : String.join("; ", rejected))
                + "): install the docker CLI with the buildx plugin, or set <dockerCli> to one, or build with"
                + " Podman (<dockerHost>)");
    }

    private static Set<Path> candidates(String configured, String path) {
        Set<Path> out = new LinkedHashSet<>();
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.strip());
            if (p.isAbsolute() || configured.contains(File.separator)) {
                out.add(p.toAbsolutePath());
                return out;
            }
            out.addAll(onPath(configured.strip(), path));
            return out;
        }
        out.addAll(onPath("docker", path));
        return out;
    }

    private static List<Path> onPath(String name, String path) {
        List<Path> out = new ArrayList<>();
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = dir.isEmpty() ? null : Path.of(dir, name);
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Output of a short command, or {@code null} when it failed. */
    private static String run(Path exe, List<String> args, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(args);
        return Command.output(cmd, env, true, Duration.ofSeconds(20));
    }
}
