package io.github.e2ekit.e2e.image;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Dockerfile asks of its builder, read the way BuildKit's Dockerfile parser reads it (moby/buildkit
 * {@code frontend/dockerfile/parser/parser.go}: parser directives only before the first comment, blank line or
 * instruction; {@code # escape=} changes the line-continuation character; comment lines inside a continued
 * instruction are dropped; {@code <<WORD} / {@code <<-WORD} / {@code <<"WORD"} start a heredoc that runs to a line
 * holding only {@code WORD}) and its instruction flags ({@code frontend/dockerfile/instructions/parse.go}).
 *
 * <p>The features the classic builder does not have: {@code RUN --mount}, {@code --network}, {@code --security};
 * {@code COPY}/{@code ADD} {@code --link}, {@code --chmod}, {@code --checksum}, {@code --keep-git-dir},
 * {@code --parents}, {@code --exclude}; heredocs; and a {@code # syntax=} frontend.
 */
public record DockerfileFeatures(String syntax, int syntaxLine, List<String> buildKitOnly, Set<String> secretIds) {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\\2");
    private static final Pattern QUOTED = Pattern.compile("(?<!<<)(?<!<<-)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*')");
    private static final Pattern FLAG = Pattern.compile("^--([a-z-]+)(?:=(\\S*))?$");
    private static final Set<String> RUN_FLAGS = Set.of("mount", "network", "security");
    private static final Set<String> COPY_FLAGS =
            Set.of("link", "chmod", "checksum", "keep-git-dir", "parents", "exclude");
    private static final Pattern SECRET_ID = Pattern.compile("(?:^|,)id=([^,]+)");

    public DockerfileFeatures {
        buildKitOnly = List.copyOf(buildKitOnly);
        secretIds = Set.copyOf(secretIds);
    }

    /** Whether the classic builder cannot build it. */
    public boolean needsBuildKit() {
        return syntax != null || !buildKitOnly.isEmpty();
    }

    /** For messages: {@code RUN --mount (line 3), COPY --link (line 2)}. */
    public String describe() {
        List<String> all = new ArrayList<>();
        if (syntax != null) {
            all.add("# syntax=" + syntax + " (line " + syntaxLine + ")");
        }
        all.addAll(buildKitOnly);
        return String.join(", ", all);
    }

    public static DockerfileFeatures parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        char escape = '\\';
        String syntax = null;
        int syntaxLine = 0;
        int i = 0;
        for (; i < lines.length; i++) {
            Matcher d = DIRECTIVE.matcher(lines[i].strip());
            if (!d.matches()) {
                break;
            }
            String key = d.group(1).toLowerCase(Locale.ROOT);
            if (key.equals("syntax")) {
                syntax = d.group(2);
                syntaxLine = i + 1;
            } else if (key.equals("escape") && d.group(2).length() == 1) {
                escape = d.group(2).charAt(0);
            }
        }
        List<String> features = new ArrayList<>();
        Set<String> secrets = new LinkedHashSet<>();
        while (i < lines.length) {
            String first = lines[i].strip();
            int start = i + 1;
            i++;
            if (first.isEmpty() || first.startsWith("#")) {
                continue;
            }
            StringBuilder instruction = new StringBuilder();
            String line = first;
            while (true) {
                String s = line.stripTrailing();
                if (!s.isEmpty() && s.charAt(s.length() - 1) == escape) {
                    instruction.append(s, 0, s.length() - 1).append(' ');
                    // continuation: skip comment and empty lines, as the parser does
                    while (i < lines.length && (lines[i].strip().startsWith("#") || lines[i].isBlank())) {
                        i++;
                    }
                    if (i >= lines.length) {
                        break;
                    }
                    line = lines[i++];
                    continue;
                }
                instruction.append(s);
                break;
            }
            String inst = instruction.toString().strip();
            String keyword = inst.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (!keyword.equals("RUN") && !keyword.equals("COPY") && !keyword.equals("ADD")) {
                continue;
            }
            String[] words = inst.split("\\s+");
            for (int w = 1; w < words.length; w++) {
                Matcher f = FLAG.matcher(words[w]);
                if (!f.matches()) {
                    break;
                }
                String flag = f.group(1);
                boolean buildKitFlag = keyword.equals("RUN") ? RUN_FLAGS.contains(flag) : COPY_FLAGS.contains(flag);
                if (buildKitFlag) {
                    String value = f.group(2);
                    String shown = flag.equals("mount") && value != null && value.contains("type=")
                            ? "--mount=type=" + value.replaceAll(".*type=([^,]+).*", "$1")
                            : "--" + flag;
                    features.add(keyword + " " + shown + " (line " + start + ")");
                    if (flag.equals("mount") && value != null && value.matches("(^|.*,)type=secret(,.*|$)")) {
                        Matcher id = SECRET_ID.matcher(value);
                        if (id.find()) {
                            secrets.add(id.group(1));
                        } else {
                            String target = value.replaceAll("(^|.*,)(target|dst|destination)=([^,]+).*", "$3");
                            secrets.add(target.equals(value) ? "" : target.substring(target.lastIndexOf('/') + 1));
                        }
                    }
                }
            }
            // a heredoc start inside a quoted string is text (the parser finds heredocs in shell words)
            Matcher h = HEREDOC.matcher(QUOTED.matcher(inst).replaceAll(""));
            boolean execForm = inst.substring(keyword.length())
                    .replaceAll("--\\S+", "")
                    .strip()
                    .startsWith("[");
            boolean firstHeredoc = true;
            while (!execForm && h.find()) {
                if (firstHeredoc) {
                    features.add(keyword + " heredoc <<" + h.group(3) + " (line " + start + ")");
                    firstHeredoc = false;
                }
                // its body runs to a line holding the word alone (leading tabs dropped for <<-)
                boolean stripTabs = !h.group(1).isEmpty();
                while (i < lines.length) {
                    String body = stripTabs ? lines[i].replaceFirst("^\t+", "") : lines[i];
                    i++;
                    if (body.equals(h.group(3))) {
                        break;
                    }
                }
            }
        }
        secrets.remove("");
        return new DockerfileFeatures(syntax, syntaxLine, features, secrets);
    }
}
