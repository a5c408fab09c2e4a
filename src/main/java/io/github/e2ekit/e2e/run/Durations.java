package io.github.e2ekit.e2e.run;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as users write them in a POM: {@code 90s}, {@code 5m}, {@code 2h}, {@code 1h30m}, or ISO-8601. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /** {@link #parse(String)} for a parameter: a wrong value names it. */
    public static Duration parse(String parameter, String text) throws ConfigException {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(parameter, e.getMessage());
        }
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty; write e.g. 90s, 5m or 2h");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 90s, 5m or 2h");
            }
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            end = m.end();
        }
        if (end != s.length() || end == 0 || total.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration; write e.g. 90s, 5m or 2h");
        }
        return total;
    }
}
