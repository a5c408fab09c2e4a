package io.github.e2ekit.e2e.run;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The plugin's version, as a kept environment records it: the Maven version, and for a SNAPSHOT also its jar's size
 * and time (a rebuilt snapshot may render or check differently, so its environments are rebuilt).
 */
final class PluginVersion {
    private static final String POM = "/META-INF/maven/io.github.e2ekit/e2e-maven-plugin/pom.properties";

    private PluginVersion() {}

    static String get() {
        String version = "dev";
        try (InputStream in = PluginVersion.class.getResourceAsStream(POM)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        } catch (IOException e) {
            // as "dev"
        }
        if (!version.endsWith("-SNAPSHOT") && !"dev".equals(version)) {
            return version;
        }
        try {
            Path jar = Path.of(PluginVersion.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(jar)) {
                return version + "@" + Files.size(jar) + "-"
                        + Files.getLastModifiedTime(jar).toMillis();
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // the version alone
        }
        return version;
    }
}
