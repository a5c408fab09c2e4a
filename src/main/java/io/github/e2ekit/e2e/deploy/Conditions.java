package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Reads {@code status.conditions} and other status fields of raw objects. */
final class Conditions {
    private Conditions() {}

    static boolean isTrue(JsonObject raw, String type) {
        JsonObject c = find(raw, type);
        return c != null && "True".equals(string(c, "status"));
    }

    static JsonObject find(JsonObject raw, String type) {
        JsonObject status = object(raw, "status");
        if (status == null || !(status.get("conditions") instanceof JsonArray list)) {
            return null;
        }
        for (JsonElement e : list) {
            if (e.isJsonObject() && type.equals(string(e.getAsJsonObject(), "type"))) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    static JsonObject object(JsonObject o, String... path) {
        JsonObject cur = o;
        for (String p : path) {
            if (cur == null || !(cur.get(p) instanceof JsonObject next)) {
                return null;
            }
            cur = next;
        }
        return cur;
    }

    static String string(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    static long number(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? 0 : e.getAsLong();
    }
}
