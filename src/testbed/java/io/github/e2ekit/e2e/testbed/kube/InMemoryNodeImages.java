package io.github.e2ekit.e2e.testbed.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link NodeImages} held in memory: tests load images onto nodes with {@link #load}. Thread-safe. */
public final class InMemoryNodeImages implements NodeImages {

    private final List<String> nodes;
    private final Map<String, Map<String, String>> images = new ConcurrentHashMap<>();

    /** Nodes with the given names; none given means one node, {@code kind-control-plane}. */
    public InMemoryNodeImages(String... nodes) {
        this.nodes = new CopyOnWriteArrayList<>(nodes.length == 0 ? new String[] {"kind-control-plane"} : nodes);
    }

    /** Puts an image onto every node. */
    public InMemoryNodeImages load(String imageRef, String imageId) {
        for (String node : nodes) {
            load(node, imageRef, imageId);
        }
        return this;
    }

    /** Puts an image onto one node. */
    public InMemoryNodeImages load(String node, String imageRef, String imageId) {
        images.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).put(NodeImages.normalize(imageRef), imageId);
        return this;
    }

    /** Removes an image from every node. */
    public InMemoryNodeImages remove(String imageRef) {
        images.values().forEach(m -> m.remove(NodeImages.normalize(imageRef)));
        return this;
    }

    @Override
    public List<String> nodes() {
        return new ArrayList<>(nodes);
    }

    @Override
    public Optional<String> imageId(String node, String imageRef) {
        return Optional.ofNullable(images.getOrDefault(node, Map.of()).get(NodeImages.normalize(imageRef)));
    }

    /** Every name loaded onto the node for the same image ID (load a digest name to have it reported). */
    @Override
    public Optional<CriImage> criImage(String node, String imageRef) {
        Map<String, String> names = images.getOrDefault(node, Map.of());
        return imageId(node, imageRef)
                .map(id -> CriImage.of(
                        id,
                        names.entrySet().stream()
                                .filter(e -> e.getValue().equals(id))
                                .map(Map.Entry::getKey)
                                .toList()));
    }
}
