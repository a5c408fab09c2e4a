package io.github.e2ekit.e2e.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The patterns of a {@code .dockerignore} file, read and matched with Docker's rules (the docker CLI's
 * {@code ReadAll} and moby/patternmatcher):
 * <ul>
 *   <li>a UTF-8 byte order mark on the first line is dropped; lines starting with {@code #} are comments (checked
 *       before trimming, as Docker does); surrounding white space is trimmed; blank lines are skipped;</li>
 *   <li>a leading {@code !} makes an exception (re-inclusion); each pattern is {@code filepath.Clean}ed
 *       ({@code ./a} becomes {@code a}, {@code a/../b} becomes {@code b}, trailing {@code /} dropped) and a leading
 *       {@code /} is removed;</li>
 *   <li>{@code *} matches any run of characters except {@code /}, {@code ?} one character except {@code /},
 *       {@code [...]} a character class ({@code [^...]} negated, ranges {@code a-z}, {@code \} escapes),
 *       {@code \x} the character x literally - like Go's {@code filepath.Match}; {@code **} matches any number of
 *       directories, including none ({@code **}{@code /} is the same as {@code **});</li>
 *   <li>a pattern matches a path when it matches the path or one of its parent directories;</li>
 *   <li>the last pattern that matches decides: excluded unless it is an exception.</li>
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class DockerIgnore {

    private static final DockerIgnore EMPTY = new DockerIgnore(List.of());

    private final List<Rule> rules;
    private final boolean hasExceptions;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.hasExceptions = rules.stream().anyMatch(r -> r.exception());
    }

    /** No patterns: nothing is excluded. */
    public static DockerIgnore empty() {
        return EMPTY;
    }

    /**
     * Parses the text of a {@code .dockerignore} file.
     *
     * @throws IllegalArgumentException for a malformed pattern (like Go's {@code filepath.ErrBadPattern}) or a
     *                                  lone {@code !}
     */
    public static DockerIgnore parse(String text) {
        return ofPatterns(readLines(text));
    }

    /**
     * Reads a {@code .dockerignore} file; a missing file gives {@link #empty()}.
     *
     * @throws BuildContextException when the file cannot be read or has a malformed pattern
     */
    public static DockerIgnore read(Path file) throws BuildContextException {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw new BuildContextException("Cannot read ignore file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new BuildContextException("Bad pattern in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds a matcher from patterns as the docker CLI's {@code ReadAll} returns them (one per element, already
     * without comments; {@code !} for exceptions). Each is trimmed and cleaned again as patternmatcher does.
     */
    public static DockerIgnore ofPatterns(List<String> patterns) {
        List<Rule> rules = new ArrayList<>();
        for (String p : patterns) {
            p = p.strip();
            if (p.isEmpty()) {
                continue;
            }
            p = cleanPath(p);
            boolean exception = false;
            if (p.charAt(0) == '!') {
                if (p.length() == 1) {
                    throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
                }
                exception = true;
                p = p.substring(1);
            }
            rules.add(new Rule(p, exception, Glob.compile(p)));
        }
        return new DockerIgnore(rules);
    }

    /**
     * The normalised pattern lines of a {@code .dockerignore} text, exactly as the docker CLI's {@code ReadAll}
     * returns them (exceptions keep their {@code !}).
     */
    public static List<String> readLines(String text) {
        List<String> out = new ArrayList<>();
        boolean first = true;
        for (String line : text.split("\r?\n|\r", -1)) {
            if (first && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            first = false;
            if (line.startsWith("#")) {
                continue;
            }
            String pattern = line.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            boolean invert = pattern.charAt(0) == '!';
            if (invert) {
                pattern = pattern.substring(1).strip();
            }
            if (!pattern.isEmpty()) {
                pattern = cleanPath(pattern);
                if (pattern.length() > 1 && pattern.charAt(0) == '/') {
                    pattern = pattern.substring(1);
                }
            }
            out.add(invert ? "!" + pattern : pattern);
        }
        return out;
    }

    /**
     * A copy with one more exception at the end that re-includes exactly {@code relativePath} (taken literally,
     * not as a pattern). The docker CLI does this for the Dockerfile and the {@code .dockerignore} file.
     */
    public DockerIgnore withLiteralException(String relativePath) {
        List<Rule> copy = new ArrayList<>(rules);
        copy.add(new Rule(relativePath, true, Glob.literal(relativePath)));
        return new DockerIgnore(copy);
    }

    /** The cleaned patterns, exceptions prefixed with {@code !}. */
    public List<String> patterns() {
        List<String> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            out.add(r.exception() ? "!" + r.pattern() : r.pattern());
        }
        return Collections.unmodifiableList(out);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public boolean hasExceptions() {
        return hasExceptions;
    }

    /**
     * Whether the path (relative to the context, separated by {@code /}) is left out of the context: true when the
     * last pattern matching the path or one of its parent directories is not an exception.
     */
    public boolean excludes(String relativePath) {
        String path = normalise(relativePath);
        if (rules.isEmpty() || path.isEmpty()) {
            return false;
        }
        return decide(matchState(path, null));
    }

    /**
     * Whether some exception could match a path strictly below the directory {@code dirPath}; when false an
     * excluded directory need not be descended into. Errs on the side of true.
     */
    public boolean exceptionsMayMatchBelow(String dirPath) {
        if (!hasExceptions) {
            return false;
        }
        String[] dirSegs = normalise(dirPath).split("/", -1);
        for (Rule r : rules) {
            if (r.exception() && r.glob().mayMatchBelow(dirSegs)) {
                return true;
            }
        }
        return false;
    }

    // --- incremental matching for tree walks -------------------------------------------------------------

    /**
     * For each rule, whether it matches {@code path} or one of its parents. {@code parentState} is the state of
     * the parent directory (null for a top-level path, or to compute the parents from scratch).
     */
    boolean[] matchState(String path, boolean[] parentState) {
        boolean[] state = new boolean[rules.size()];
        boolean computeParents = parentState == null && path.indexOf('/') >= 0;
        for (int i = 0; i < state.length; i++) {
            Rule r = rules.get(i);
            boolean m = parentState != null && parentState[i];
            if (!m) {
                m = r.glob().matches(path);
            }
            if (!m && computeParents) {
                for (int slash = path.indexOf('/'); slash >= 0 && !m; slash = path.indexOf('/', slash + 1)) {
                    m = r.glob().matches(path.substring(0, slash));
                }
            }
            state[i] = m;
        }
        return state;
    }

    /** Last matching rule wins. */
    boolean decide(boolean[] state) {
        for (int i = state.length - 1; i >= 0; i--) {
            if (state[i]) {
                return !rules.get(i).exception();
            }
        }
        return false;
    }

    private static String normalise(String p) {
        String s = p;
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.equals(".") ? "" : s;
    }

    @Override
    public String toString() {
        return "DockerIgnore" + patterns();
    }

    /** Go's {@code path.Clean} (forward slashes). */
    static String cleanPath(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        int n = path.length();
        StringBuilder out = new StringBuilder(n);
        int r = 0;
        int dotdot = 0;
        if (rooted) {
            out.append('/');
            r = 1;
            dotdot = 1;
        }
        while (r < n) {
            char c = path.charAt(r);
            if (c == '/') {
                r++;
            } else if (c == '.' && (r + 1 == n || path.charAt(r + 1) == '/')) {
                r++;
            } else if (c == '.' && path.charAt(r + 1) == '.' && (r + 2 == n || path.charAt(r + 2) == '/')) {
                r += 2;
                if (out.length() > dotdot) {
                    int w = out.length() - 1;
                    while (w > dotdot && out.charAt(w) != '/') {
                        w--;
                    }
                    out.setLength(w);
                } else if (!rooted) {
                    if (out.length() > 0) {
                        out.append('/');
                    }
                    out.append("..");
                    dotdot = out.length();
                }
            } else {
                if ((rooted && out.length() != 1) || (!rooted && out.length() != 0)) {
                    out.append('/');
                }
                while (r < n && path.charAt(r) != '/') {
                    out.append(path.charAt(r++));
                }
            }
        }
        return out.length() == 0 ? "." : out.toString();
    }

    /** One pattern line: an exception ({@code !}) re-includes what it matches. */
    private record Rule(String pattern, boolean exception, Glob glob) {}

    /** One compiled pattern. */
    static final class Glob {
        private final String pattern;
        private final String literal; // non-null: matches exactly this string
        private final Pattern regex;

        private Glob(String pattern, String literal, Pattern regex) {
            this.pattern = pattern;
            this.literal = literal;
            this.regex = regex;
        }

        static Glob literal(String path) {
            return new Glob(path, path, null);
        }

        boolean matches(String path) {
            return literal != null ? literal.equals(path) : regex.matcher(path).matches();
        }

        /** Conservative: could this pattern match some path below the directory with segments {@code dirSegs}? */
        boolean mayMatchBelow(String[] dirSegs) {
            String[] patSegs = pattern.split("/", -1);
            for (int i = 0; i < dirSegs.length; i++) {
                if (i >= patSegs.length) {
                    return false; // the pattern ends above: it can only match the directory or a parent
                }
                String seg = patSegs[i];
                if (seg.contains("**")) {
                    return true;
                }
                if (literal != null) {
                    if (!seg.equals(dirSegs[i])) {
                        return false;
                    }
                    continue;
                }
                boolean segMatches;
                try {
                    segMatches = compile(seg).matches(dirSegs[i]);
                } catch (IllegalArgumentException e) {
                    return true; // a segment that is not a pattern on its own (e.g. a class holding '/')
                }
                if (!segMatches) {
                    return false;
                }
            }
            return patSegs.length > dirSegs.length;
        }

        /** Translates a cleaned pattern to a regular expression, with Docker's {@code **} rules. */
        static Glob compile(String pattern) {
            StringBuilder re = new StringBuilder(pattern.length() * 2);
            boolean plain = true;
            int i = 0;
            int n = pattern.length();
            while (i < n) {
                int ch = pattern.codePointAt(i);
                i += Character.charCount(ch);
                if (ch == '*') {
                    plain = false;
                    if (i < n && pattern.charAt(i) == '*') {
                        i++;
                        if (i < n && pattern.charAt(i) == '/') {
                            i++;
                        }
                        re.append(i >= n ? ".*" : "(?:.*/)?");
                    } else {
                        re.append("[^/]*");
                    }
                } else if (ch == '?') {
                    plain = false;
                    re.append("[^/]");
                } else if (ch == '\\') {
                    if (i >= n) {
                        throw new IllegalArgumentException("syntax error in pattern (trailing \\): " + pattern);
                    }
                    int next = pattern.codePointAt(i);
                    i += Character.charCount(next);
                    plain = false;
                    appendLiteral(re, next);
                } else if (ch == '[') {
                    plain = false;
                    i = appendClass(re, pattern, i);
                } else {
                    appendLiteral(re, ch);
                }
            }
            if (plain) {
                return new Glob(pattern, pattern, null);
            }
            return new Glob(pattern, null, Pattern.compile(re.toString(), Pattern.DOTALL));
        }

        /** Parses a class after its '[' with Go's filepath.Match syntax; returns the index after the ']'. */
        private static int appendClass(StringBuilder re, String p, int i) {
            int n = p.length();
            StringBuilder cls = new StringBuilder("[");
            if (i < n && p.charAt(i) == '^') {
                cls.append('^');
                i++;
            }
            int ranges = 0;
            while (true) {
                if (i >= n) {
                    throw new IllegalArgumentException("syntax error in pattern (unterminated [): " + p);
                }
                if (p.charAt(i) == ']' && ranges > 0) {
                    i++;
                    break;
                }
                int[] lo = escapedChar(p, i);
                i = lo[1];
                int hi = lo[0];
                if (i < n && p.charAt(i) == '-') {
                    int[] h = escapedChar(p, i + 1);
                    hi = h[0];
                    i = h[1];
                }
                ranges++;
                if (lo[0] <= hi) {
                    cls.append("\\x{").append(Integer.toHexString(lo[0])).append('}');
                    if (hi != lo[0]) {
                        cls.append("-\\x{").append(Integer.toHexString(hi)).append('}');
                    }
                }
                // an inverted range (z-a) matches nothing, like in Go
            }
            if (cls.length() == 1 || (cls.length() == 2 && cls.charAt(1) == '^')) {
                // only inverted ranges: [] matches nothing, [^] matches any character
                re.append(cls.length() == 1 ? "(?!)" : ".");
            } else {
                re.append(cls).append(']');
            }
            return i;
        }

        /** Go's getEsc: one possibly escaped character of a class; {@code {codePoint, nextIndex}}. */
        private static int[] escapedChar(String p, int i) {
            int n = p.length();
            if (i >= n || p.charAt(i) == '-' || p.charAt(i) == ']') {
                throw new IllegalArgumentException("syntax error in pattern (bad character class): " + p);
            }
            if (p.charAt(i) == '\\') {
                i++;
                if (i >= n) {
                    throw new IllegalArgumentException("syntax error in pattern (trailing \\): " + p);
                }
            }
            int c = p.codePointAt(i);
            i += Character.charCount(c);
            if (i >= n) {
                throw new IllegalArgumentException("syntax error in pattern (unterminated [): " + p);
            }
            return new int[] {c, i};
        }

        private static void appendLiteral(StringBuilder re, int ch) {
            if ((ch >= 'a' && ch <= 'z')
                    || (ch >= 'A' && ch <= 'Z')
                    || (ch >= '0' && ch <= '9')
                    || ch == '/'
                    || ch == '_') {
                re.append((char) ch);
            } else {
                re.append("\\x{").append(Integer.toHexString(ch)).append('}');
            }
        }
    }
}
