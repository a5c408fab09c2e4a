package io.github.e2ekit.e2e.image;

/** Receives build output line by line, for the Maven log. */
public interface BuildListener {
    void line(String imageId, String line);
}
