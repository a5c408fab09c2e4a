package io.github.e2ekit.e2e.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile the engine could not parse, as one line naming the file and its line. The engines say it so:
 * Docker's classic builder answers {@code POST /build} with HTTP 400 {@code {"message":"dockerfile parse error line 2:
 * unknown instruction: FORM"}} (moby builder/dockerfile/parser); BuildKit's frontend ends with {@code dockerfile parse
 * error on line 2: unknown instruction: FORM} (buildkit frontend/dockerfile/parser); Podman's imagebuilder streams
 * {@code building at STEP "FORM ": Build error: Unknown instruction: "FORM" &imagebuilder.Step{… Original:"FORM x"}}
 * (openshift/imagebuilder dispatchers.go), without a line number: the line is found by its original text.
 */
public final class DockerfileSyntax {
    private static final Pattern PARSE_ERROR =
            Pattern.compile("dockerfile parse error (?:on )?line (\\d+): ([^\\n]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern PODMAN = Pattern.compile(
            "Build error: (Unknown instruction: \"[^\"]*\")" + "(?:.*Original:\"((?:[^\"\\\\]|\\\\.)*)\")?",
            Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("^Status \\d+: ", Pattern.MULTILINE);

    private DockerfileSyntax() {}

    /** The engine's own message inside docker-java's {@code Status 400: {"message":"…"}}; else the text as it is. */
    public static String engineMessage(String text) {
        if (text == null) {
            return null;
        }
        String body = STATUS.matcher(text.strip()).replaceFirst("");
        if (body.startsWith("{")) {
            try {
                JsonNode message = new ObjectMapper().readTree(body).get("message");
                if (message != null && message.isTextual()) {
                    return message.asText();
                }
            } catch (IOException notJson) {
                return body;
            }
        }
        return body;
    }

    /** {@code Dockerfile <path> line N: <problem>} when {@code message} is a syntax error of {@code dockerfile}. */
    public static Optional<String> describe(Path dockerfile, String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher m = PARSE_ERROR.matcher(message);
        if (m.find()) {
            return Optional.of(
                    where(dockerfile, Integer.parseInt(m.group(1))) + m.group(2).strip());
        }
        Matcher p = PODMAN.matcher(message);
        if (p.find()) {
            int line = p.group(2) == null ? 0 : lineOf(dockerfile, p.group(2).replace("\\\"", "\""));
            return Optional.of(where(dockerfile, line) + p.group(1).replace("Unknown", "unknown"));
        }
        return Optional.empty();
    }

    private static String where(Path dockerfile, int line) {
        return "Dockerfile " + dockerfile + (line > 0 ? " line " + line : "") + ": ";
    }

    /** The 1-based line holding {@code original} (an instruction as written), or 0. */
    static int lineOf(Path dockerfile, String original) {
        try {
            List<String> lines = Files.readAllLines(dockerfile, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().equals(original.strip())) {
                    return i + 1;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
