package io.github.e2ekit.e2e.tag;

/** The tag template cannot give a usable tag; the message says why and how to fix it. */
public class TagTemplateException extends RuntimeException {
    public TagTemplateException(String message) {
        super(message);
    }
}
