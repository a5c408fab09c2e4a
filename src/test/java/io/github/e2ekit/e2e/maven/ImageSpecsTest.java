package io.github.e2ekit.e2e.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.ImageSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSpecsTest {
    @TempDir
    Path basedir;

    private static ImageConfig image(String id, String name, File context, String dockerfile) {
        ImageConfig c = new ImageConfig();
        c.id = id;
        c.name = name;
        c.context = context;
        c.dockerfile = dockerfile;
        return c;
    }

    @Test
    void anImageWithoutContextOrDockerfileUsesTheModuleAndItsDockerfile() throws Exception {
        Files.writeString(basedir.resolve("Dockerfile"), "FROM scratch\n");
        ImageConfig c = image("app", " localhost/team/app ", null, null);
        c.target = " run ";
        c.buildArgs = new LinkedHashMap<>(Map.of("VERSION", "1"));
        c.buildArgs.put("EMPTY", null);
        List<ImageSpec> specs = ImageSpecs.of(List.of(c), basedir.toFile());
        assertThat(specs)
                .containsExactly(new ImageSpec(
                        "app",
                        "localhost/team/app",
                        basedir.toAbsolutePath(),
                        basedir.toAbsolutePath().resolve("Dockerfile"),
                        "run",
                        specs.get(0).buildArgs()));
        assertThat(specs.get(0).buildArgs()).containsEntry("VERSION", "1").containsEntry("EMPTY", "");
    }

    @Test
    void noImagesIsNoSpecs() throws Exception {
        assertThat(ImageSpecs.of(null, basedir.toFile())).isEmpty();
    }

    @Test
    void eachWrongImageNamesItsParameter() throws Exception {
        Files.writeString(basedir.resolve("Dockerfile"), "FROM scratch\n");
        File dir = basedir.toFile();
        assertThatThrownBy(() -> ImageSpecs.of(List.of(image(null, "a", null, null)), dir))
                .hasMessageStartingWith("<images/image[1]/id> is missing");
        assertThatThrownBy(() -> ImageSpecs.of(List.of(image("a b", "a", null, null)), dir))
                .hasMessageStartingWith("<images/image[1]/id> 'a b' may hold only");
        assertThatThrownBy(
                        () -> ImageSpecs.of(List.of(image("a", "x/a", null, null), image("a", "x/b", null, null)), dir))
                .hasMessageStartingWith("<images/image[2]/id> 'a' is used by two images");
        assertThatThrownBy(() -> ImageSpecs.of(List.of(image("a", null, null, null)), dir))
                .hasMessageStartingWith("<images/image[a]/name> is missing");
        assertThatThrownBy(() -> ImageSpecs.of(List.of(image("a", "x/a:1", null, null)), dir))
                .hasMessageContaining("has a tag; give the repository only");
        assertThatThrownBy(() -> ImageSpecs.of(
                        List.of(image("a", "x/a", basedir.resolve("nope").toFile(), null)), dir))
                .hasMessageStartingWith("<images/image[a]/context> '");
        assertThatThrownBy(() -> ImageSpecs.of(List.of(image("a", "x/a", null, "other.Dockerfile")), dir))
                .hasMessageStartingWith("<images/image[a]/dockerfile> '"
                        + basedir.toAbsolutePath().resolve("other.Dockerfile"));
        ImageConfig badArg = image("a", "x/a", null, null);
        badArg.buildArgs = Map.of("1X", "v");
        assertThatThrownBy(() -> ImageSpecs.of(List.of(badArg), dir))
                .hasMessageStartingWith("<images/image[a]/buildArgs> '1X' is not a build-arg name");
    }
}
