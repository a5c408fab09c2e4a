package io.github.e2ekit.e2e.image;

import java.util.List;

/** A build step failed: carries the step, its last lines of output and a one-line cause. */
public class BuildFailedException extends RuntimeException {
    private final String imageId;
    private final String step;
    private final List<String> output;

    public BuildFailedException(String imageId, String step, List<String> output, String cause) {
        super(cause);
        this.imageId = imageId;
        this.step = step;
        this.output = List.copyOf(output);
    }

    public String imageId() {
        return imageId;
    }

    public String step() {
        return step;
    }

    public List<String> output() {
        return output;
    }
}
