package io.github.e2ekit.e2e.image;

import java.util.List;
import java.util.Map;

/**
 * One image of an engine's image list, in engine-neutral terms.
 *
 * @param id the image ID
 * @param repoTags its names ({@code repo:tag}); empty for an untagged (dangling) image. Docker lists an untagged
 *        image as {@code <none>:<none>}, Podman with none: both are empty here
 * @param labels its labels (never null)
 * @param created when it was created, in seconds since the epoch
 */
public record ImageSummary(String id, List<String> repoTags, Map<String, String> labels, long created) {
    public ImageSummary {
        repoTags = List.copyOf(repoTags);
        labels = Map.copyOf(labels);
    }

    public boolean untagged() {
        return repoTags.isEmpty();
    }
}
