package io.github.e2ekit.examples.datastorage;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/** One audit event; {@code id} and {@code createdAt} come from PostgreSQL. */
record AuditEvent(Long id, String service, String action, String createdAt) {
  private static final Gson GSON = new Gson();

  /** A new event from a request body; refuses bodies without {@code service} and {@code action}. */
  static AuditEvent parse(String body) {
    JsonObject o;
    try {
      o = JsonParser.parseString(body).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("the body must be a JSON object with \"service\" and \"action\"");
    }
    if (!o.has("service") || !o.has("action")) {
      throw new IllegalArgumentException("the body must have \"service\" and \"action\"");
    }
    return new AuditEvent(null, o.get("service").getAsString(), o.get("action").getAsString(), null);
  }

  String json() {
    return GSON.toJson(this);
  }
}
