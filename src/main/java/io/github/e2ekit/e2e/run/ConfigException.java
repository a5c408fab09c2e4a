package io.github.e2ekit.e2e.run;

/** A configuration value is wrong: the message names the parameter and how to fix it. */
public final class ConfigException extends Exception {
    public ConfigException(String parameter, String problem) {
        super("<" + parameter + "> " + problem);
    }
}
