package io.github.e2ekit.e2e.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.Manifest;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.work.Sha256;
import java.nio.file.Path;
import java.util.List;

/**
 * The hash of the rendered manifests as this run would apply them, without what differs in every run by itself:
 * the run label, the expiry, and the images' references and digests (image changes are judged by their IDs, so
 * that a changed image rolls its workloads instead of counting as a changed manifest).
 */
final class ManifestsHash {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestsHash() {}

    static String of(
            DeployPlan plan, ManifestRenderer renderer, List<ImageBinding> bindings, String run, String expires) {
        StringBuilder text = new StringBuilder();
        for (List<Path> stage : plan.stages()) {
            text.append("--- stage\n");
            for (Manifest m : renderer.render(stage)) {
                text.append(normalized(m)).append('\n');
            }
        }
        return of(text.toString(), bindings, expires);
    }

    static String of(String rendered, List<ImageBinding> bindings, String expires) {
        String s = rendered.replace(expires, "{expires}");
        for (ImageBinding b : bindings) {
            s = s.replace(b.reference(), "{image:" + b.id() + "}")
                    .replace("sha256:" + b.digest(), "{digest:" + b.id() + "}");
        }
        return "sha256:" + Sha256.hex(s);
    }

    /** The object as JSON, without the run label (the object's own: selectors and templates never get it). */
    static String normalized(Manifest m) {
        ObjectNode n = JSON.valueToTree(m.object());
        if (n.get("metadata") instanceof ObjectNode meta && meta.get("labels") instanceof ObjectNode labels) {
            labels.remove(ManifestRenderer.RUN);
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
