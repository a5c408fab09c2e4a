package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.exception.NotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base images a Dockerfile's {@code FROM} lines name (not {@code scratch}, not earlier stages), with
 * {@code ARG} defaults before the first {@code FROM} and the build args substituted, as the builder does
 * (moby {@code frontend/dockerfile/instructions/parse.go}: {@code FROM [--platform=…] image [AS name]}). Used
 * when Maven is offline: an engine asked to build from an image it does not hold pulls it even with
 * {@code pull=false}, so the build is stopped first, with a line naming the image.
 */
public final class BaseImages {
    private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    private BaseImages() {}

    /** Base images named by the Dockerfile text; names still holding an unknown {@code $VAR} are left out. */
    public static List<String> of(String dockerfile, Map<String, String> buildArgs) {
        Map<String, String> args = new HashMap<>();
        Set<String> stages = new HashSet<>();
        List<String> out = new ArrayList<>();
        boolean seenFrom = false;
        for (String raw : dockerfile.replace("\\\n", " ").lines().toList()) {
            String line = raw.strip();
            String upper = line.toUpperCase(Locale.ROOT);
            if (!seenFrom && upper.startsWith("ARG ")) {
                String decl = line.substring(4).strip();
                int eq = decl.indexOf('=');
                String name = eq < 0 ? decl : decl.substring(0, eq);
                String value = buildArgs.containsKey(name)
                        ? buildArgs.get(name)
                        : eq < 0 ? null : decl.substring(eq + 1).replaceAll("^\"|\"$", "");
                if (value != null) {
                    args.put(name, value);
                }
            } else if (upper.startsWith("FROM ")) {
                seenFrom = true;
                List<String> words =
                        new ArrayList<>(List.of(line.substring(5).strip().split("\\s+")));
                words.removeIf(w -> w.startsWith("--"));
                if (words.isEmpty()) {
                    continue;
                }
                String image = substitute(words.get(0), args);
                boolean base = image != null
                        && !image.equalsIgnoreCase("scratch")
                        && !stages.contains(image.toLowerCase(Locale.ROOT));
                if (words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")) {
                    stages.add(words.get(2).toLowerCase(Locale.ROOT));
                }
                if (base && !out.contains(image)) {
                    out.add(image);
                }
            }
        }
        return out;
    }

    /** Those of {@code images} the engine does not hold. */
    public static List<String> missing(Engine engine, List<String> images) {
        List<String> out = new ArrayList<>();
        for (String image : images) {
            try {
                engine.client().inspectImageCmd(image).exec();
            } catch (NotFoundException e) {
                out.add(image);
            }
        }
        return out;
    }

    private static String substitute(String word, Map<String, String> args) {
        Matcher m = VAR.matcher(word);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = args.get(m.group(1));
            if (v == null) {
                return null;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
