package io.github.e2ekit.e2e.maven;

/** A configuration value is wrong: the message names the parameter and how to fix it. */
final class ConfigException extends Exception {
    ConfigException(String parameter, String problem) {
        super("<" + parameter + "> " + problem);
    }
}
