package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.util.ArrayList;
import java.util.List;

/** What the manifests get for each image of the run: the node's name of it, or the registry's pinned reference. */
public final class ImageBindings {
    private ImageBindings() {}

    /** For deploy: every image must have been built (and, when pushed, pushed as built) in this run. */
    public static List<ImageBinding> delivered(Run run, List<TagDecision> decided) throws ConfigException {
        List<ImageBinding> out = new ArrayList<>();
        for (TagDecision t : decided) {
            String imageId =
                    run.ledger().read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            if (imageId == null) {
                throw new ConfigException(
                        "images",
                        "image '" + t.id() + "' was not built in this run: run 'build' and"
                                + " 'load' before 'deploy'");
            }
            PushEntry pushed = run.ledger().read(d -> d.push(t.id()).orElse(null));
            if (pushed != null && !Engine.sameImageId(pushed.imageId, imageId)) {
                throw new ConfigException(
                        "load/registry",
                        "image '" + t.id() + "' was pushed as " + pushed.imageId + ", but this run built " + imageId
                                + " since: run 'load' again after 'build'");
            }
            out.add(binding(run, t, imageId, pushed));
        }
        return out;
    }

    /** For render: built (or pushed) earlier in this build, the reference deploy would use; else the decided one. */
    public static List<ImageBinding> planned(Run run, List<TagDecision> decided) {
        List<ImageBinding> out = new ArrayList<>();
        for (TagDecision t : decided) {
            String imageId =
                    run.ledger().read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            PushEntry pushed = run.ledger().read(d -> d.push(t.id()).orElse(null));
            out.add(binding(run, t, imageId, pushed));
        }
        return out;
    }

    private static ImageBinding binding(Run run, TagDecision t, String imageId, PushEntry pushed) {
        return pushed != null
                ? new ImageBinding(
                        t.id(), t.reference().repository(), pushed.pinned(), t.digest(), imageId, pushed.digest)
                : new ImageBinding(
                        t.id(),
                        t.reference().repository(),
                        run.engine().storedName(t.reference()),
                        t.digest(),
                        imageId);
    }
}
