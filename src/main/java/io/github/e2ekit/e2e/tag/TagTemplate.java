package io.github.e2ekit.e2e.tag;

import io.github.e2ekit.e2e.image.ImageReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tag template such as {@code {service}-{digest}}. Placeholders: {@code {service}},
 * {@code {digest}} (12 hex), {@code {digest:N}}, {@code {run}}, {@code {timestamp}},
 * {@code {git}}, {@code {version}}.
 */
public final class TagTemplate {
    public static final String DEFAULT = "{service}-{digest}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern DIGEST_N = Pattern.compile("digest:(\\d+)");

    private final String template;

    public TagTemplate(String template) {
        this.template = template == null || template.isBlank() ? DEFAULT : template.trim();
        if (this.template.indexOf('{') >= 0 || this.template.indexOf('}') >= 0) {
            String stripped = PLACEHOLDER.matcher(this.template).replaceAll("");
            if (stripped.indexOf('{') >= 0 || stripped.indexOf('}') >= 0) {
                throw new TagTemplateException("'" + this.template + "' has an unbalanced '{' or '}'");
            }
        }
        Matcher m = PLACEHOLDER.matcher(this.template);
        while (m.find()) {
            checkPlaceholder(m.group(1));
        }
    }

    public String template() {
        return template;
    }

    /** Whether the template needs the context's git revision (computing it costs a git call). */
    public boolean usesGit() {
        return template.contains("{git}");
    }

    private static void checkPlaceholder(String name) {
        switch (name) {
            case "service", "digest", "run", "timestamp", "git", "version" -> {
                return;
            }
            default -> {
                Matcher d = DIGEST_N.matcher(name);
                if (d.matches()) {
                    int n = Integer.parseInt(d.group(1));
                    if (n < 4 || n > 64) {
                        throw new TagTemplateException("{" + name + "} must take 4 to 64 hex digits");
                    }
                    return;
                }
                throw new TagTemplateException("unknown placeholder {" + name + "}; use {service}, {digest},"
                        + " {digest:N}, {run}, {timestamp}, {git} or {version}");
            }
        }
    }

    /** Renders the tag; fails with a {@link TagTemplateException} if the result is not a usable tag. */
    public String render(TagValues values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "service" -> sanitize(values.service());
                case "digest" -> values.digest().substring(0, 12);
                case "run" -> values.run();
                case "timestamp" -> values.timestamp();
                case "git" -> {
                    if (values.git() == null) {
                        throw new TagTemplateException("{git} needs the build context to be inside a git work tree");
                    }
                    yield values.git();
                }
                case "version" -> sanitize(values.version());
                default -> values.digest().substring(0, Integer.parseInt(name.substring("digest:".length())));
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        String tag = out.toString();
        if (tag.isEmpty()) {
            throw new TagTemplateException("'" + template + "' gives an empty tag");
        }
        if (tag.equals("latest")) {
            throw new TagTemplateException("'" + template + "' gives 'latest', which makes Kubernetes pull"
                    + " (imagePullPolicy Always) and hides which build runs; include {digest}");
        }
        if (!ImageReference.isValidTag(tag)) {
            throw new TagTemplateException("'" + template + "' gives '" + tag + "', which is not a valid Docker tag"
                    + " (letters, digits, '_', '.', '-'; at most 128 characters; not starting with '.' or '-')");
        }
        return tag;
    }

    /** Replaces characters a tag cannot hold with '-'. */
    static String sanitize(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9_.-]", "-");
    }
}
