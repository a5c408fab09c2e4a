package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.run.ConfigException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns {@code <images>} into validated core {@link ImageSpec}s, or one clear error. */
final class ImageSpecs {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern BUILD_ARG = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ImageSpecs() {}

    static List<ImageSpec> of(List<ImageConfig> images, File basedir) throws ConfigException {
        List<ImageSpec> out = new ArrayList<>();
        if (images == null) {
            return out;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < images.size(); i++) {
            ImageConfig c = images.get(i);
            String where = "images/image[" + (i + 1) + "]";
            if (c.id == null || c.id.isBlank()) {
                throw new ConfigException(
                        where + "/id", "is missing: give each image an id (e.g. <id>datastorage</id>)");
            }
            if (!ID.matcher(c.id).matches()) {
                throw new ConfigException(
                        where + "/id", "'" + c.id + "' may hold only letters, digits, '.', '_' and '-'");
            }
            if (!ids.add(c.id)) {
                throw new ConfigException(where + "/id", "'" + c.id + "' is used by two images: ids must be unique");
            }
            where = "images/image[" + c.id + "]";
            if (c.name == null || c.name.isBlank()) {
                throw new ConfigException(
                        where + "/name", "is missing: give the repository, e.g. localhost/team/" + c.id);
            }
            try {
                ImageReference ref = ImageReference.parse(c.name);
                if (ref.tag() != null) {
                    throw new ConfigException(
                            where + "/name",
                            "'" + c.name + "' has a tag; give the repository only"
                                    + " (the tag is decided by the 'tag' goal)");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + "/name", "is not a valid image name: " + e.getMessage());
            }
            Path context = (c.context == null ? basedir : c.context)
                    .toPath()
                    .toAbsolutePath()
                    .normalize();
            if (!Files.isDirectory(context)) {
                throw new ConfigException(where + "/context", "'" + context + "' is not a directory");
            }
            String df = c.dockerfile == null || c.dockerfile.isBlank() ? "Dockerfile" : c.dockerfile;
            Path dockerfile = Path.of(df).isAbsolute() ? Path.of(df) : context.resolve(df);
            dockerfile = dockerfile.normalize();
            if (!Files.isRegularFile(dockerfile)) {
                throw new ConfigException(
                        where + "/dockerfile",
                        "'" + dockerfile + "' does not exist" + " (a relative path is resolved against the context)");
            }
            Map<String, String> args = new LinkedHashMap<>();
            if (c.buildArgs != null) {
                for (Map.Entry<String, String> a : c.buildArgs.entrySet()) {
                    if (!BUILD_ARG.matcher(a.getKey()).matches()) {
                        throw new ConfigException(
                                where + "/buildArgs",
                                "'" + a.getKey() + "' is not a build-arg name;"
                                        + " write <NAME>value</NAME> with NAME made of letters, digits and '_'");
                    }
                    args.put(a.getKey(), a.getValue() == null ? "" : a.getValue());
                }
            }
            String target = c.target == null || c.target.isBlank() ? null : c.target.trim();
            out.add(new ImageSpec(c.id, c.name.trim(), context, dockerfile, target, args));
        }
        return out;
    }
}
