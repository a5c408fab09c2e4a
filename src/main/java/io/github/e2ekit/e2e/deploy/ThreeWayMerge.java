package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * The JSON merge patch (RFC 7386) that turns the live object into what the manifest now says, removing what
 * an earlier apply set and the manifest no longer has — kubectl's client-side 3-way merge
 * ({@code k8s.io/apimachinery/pkg/util/jsonmergepatch} CreateThreeWayJSONMergePatch) against the last-applied
 * record.
 *
 * <p>Why this and not server-side apply: a JSON merge patch is served by every API server and works on custom
 * resources alike, while server-side apply needs field-manager bookkeeping that a cluster shared with
 * {@code kubectl apply} users conflicts with. The record is kubectl's own annotation
 * ({@link #LAST_APPLIED}), so a developer's later {@code kubectl apply -f} of the same file merges correctly
 * too, and the plugin re-applies correctly over a {@code kubectl apply}. A plain 2-way merge patch never removes
 * a field the manifest dropped (RFC 7386 removes only keys set to null).
 *
 * <p>Lists are replaced whole by a merge patch. The server fills defaults into list elements (containers get
 * {@code imagePullPolicy}, {@code terminationMessagePath}…), so a list is compared with the last-applied one
 * when there is a record, not with the live one; otherwise every re-apply would resend every list, which a
 * Job's immutable template refuses.
 */
public final class ThreeWayMerge {
    /** kubectl's last-applied record (k8s.io/kubectl/pkg/apply LastAppliedConfigAnnotation). */
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private ThreeWayMerge() {}

    /**
     * The patch from {@code current} (live) to {@code modified} (the manifest), with removals of what
     * {@code original} (last applied; may be null) had and {@code modified} has not. Empty when nothing changes.
     */
    public static JsonObject patch(JsonObject original, JsonObject modified, JsonObject current) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> e : modified.entrySet()) {
            String k = e.getKey();
            JsonElement m = e.getValue();
            JsonElement c = current == null ? null : current.get(k);
            JsonElement o = original == null ? null : original.get(k);
            if (m.isJsonObject() && c != null && c.isJsonObject()) {
                JsonObject sub = patch(
                        o != null && o.isJsonObject() ? o.getAsJsonObject() : null,
                        m.getAsJsonObject(),
                        c.getAsJsonObject());
                if (sub.size() > 0) {
                    out.add(k, sub);
                }
            } else if (m.isJsonArray()) {
                boolean changed = original != null && o != null ? !m.equals(o) || c == null : !m.equals(c);
                if (changed) {
                    out.add(k, m.deepCopy());
                }
            } else if (!m.equals(c)) {
                out.add(k, m.deepCopy());
            }
        }
        if (original != null && current != null) {
            for (Map.Entry<String, JsonElement> e : original.entrySet()) {
                if (!modified.has(e.getKey()) && current.has(e.getKey())) {
                    out.add(e.getKey(), JsonNull.INSTANCE);
                }
            }
        }
        return out;
    }

    /** The last-applied record stored on a live object, or null. */
    public static JsonObject lastApplied(JsonObject live) {
        JsonElement meta = live.get("metadata");
        if (meta == null || !meta.isJsonObject()) {
            return null;
        }
        JsonElement ann = meta.getAsJsonObject().get("annotations");
        if (ann == null || !ann.isJsonObject() || !ann.getAsJsonObject().has(LAST_APPLIED)) {
            return null;
        }
        try {
            JsonElement parsed = com.google.gson.JsonParser.parseString(
                    ann.getAsJsonObject().get(LAST_APPLIED).getAsString());
            return parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
