package io.github.e2ekit.e2e.run;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one parser of enumerated parameters: a POM spells a constant in lower camel case ({@code IF_MISSING} is
 * {@code ifMissing}), in any letter case; a wrong value fails naming the parameter and every allowed value.
 * (Maven's own enum conversion is {@code Enum.valueOf}: exact case, and "Cannot convert 'x' to Enum" as message.)
 */
public final class Choice {
    private Choice() {}

    /** The constant {@code text} names; {@code fallback} when it is null or blank. */
    public static <E extends Enum<E>> E parse(String parameter, String text, E fallback, Class<E> type)
            throws ConfigException {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String wanted = text.trim().replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)) {
                return e;
            }
        }
        throw new ConfigException(parameter, "'" + text.trim() + "' is not one of " + allowed(type));
    }

    /** The POM spelling of a constant: {@code ALL_BUT_NEWEST} → {@code allButNewest}. */
    public static String spelling(Enum<?> e) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : e.name().toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return out.toString();
    }

    static <E extends Enum<E>> String allowed(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choice::spelling).collect(Collectors.joining(", "));
    }
}
