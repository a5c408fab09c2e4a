package io.github.e2ekit.e2e.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes what {@code deploy} would apply, one file per object, to {@code <dir>/stage-<n>/<nn>-<kind>-<name>.yaml}.
 * Every stage is rendered before anything is written, so bad input leaves no partial output; an earlier
 * render's files are replaced.
 */
public final class RenderedManifests {
    private final Path dir;

    public RenderedManifests(Path dir) {
        this.dir = dir;
    }

    public List<Path> write(DeployPlan plan, ManifestRenderer renderer) {
        List<List<Manifest>> stages = new ArrayList<>();
        for (List<Path> stage : plan.stages()) {
            stages.add(renderer.render(stage));
        }
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndicatorIndent(0);
        Yaml yaml = new Yaml(o);
        List<Path> written = new ArrayList<>();
        try {
            deleteTree(dir);
            for (int i = 0; i < stages.size(); i++) {
                Path stageDir = Files.createDirectories(dir.resolve("stage-" + (i + 1)));
                List<Manifest> objects = stages.get(i);
                for (int j = 0; j < objects.size(); j++) {
                    Manifest m = objects.get(j);
                    String name = String.format(
                            Locale.ROOT,
                            "%02d-%s-%s.yaml",
                            j + 1,
                            m.kind().toLowerCase(Locale.ROOT),
                            m.name().replaceAll("[^A-Za-z0-9._-]", "_"));
                    Path f = stageDir.resolve(name);
                    Files.writeString(
                            f,
                            "# from " + m.source() + "; namespaced objects go to namespace " + plan.namespace() + "\n"
                                    + yaml.dump(m.object()));
                    written.add(f);
                }
            }
        } catch (IOException e) {
            throw new DeployException("cannot write the rendered manifests to " + dir + ": " + e.getMessage(), e);
        }
        return written;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
