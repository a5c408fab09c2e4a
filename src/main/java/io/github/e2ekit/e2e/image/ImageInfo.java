package io.github.e2ekit.e2e.image;

import java.util.List;
import java.util.Map;

/**
 * One image as the engine inspects it, in engine-neutral terms.
 *
 * @param id the image ID ({@code sha256:…}, the config's digest)
 * @param size the image's size in bytes as the engine reports it ({@code 0} when it reports none)
 * @param diffIds its layers in order ({@code RootFS.Layers}); empty when the engine lists none
 * @param labels its config's labels (never null)
 */
public record ImageInfo(String id, long size, List<String> diffIds, Map<String, String> labels) {
    public ImageInfo {
        diffIds = List.copyOf(diffIds);
        labels = Map.copyOf(labels);
    }
}
