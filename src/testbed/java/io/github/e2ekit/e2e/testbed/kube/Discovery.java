package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API server's discovery documents, as kubectl and client-java read them: {@code /version}, the health
 * endpoints, {@code /api}, {@code /apis} (APIGroupList), {@code /apis/<group>} (APIGroup) and the APIResourceLists
 * of {@code /api/v1} and {@code /apis/<group>/<version>}, with built-in types and served CRDs (after their discovery
 * delay, see {@link CrdLifecycle}).
 */
final class Discovery {

    static final String VERSION_JSON = "{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31.0\","
            + "\"gitCommit\":\"9edcffcde5595e8a5b1a35f88c421764e575afce\",\"gitTreeState\":\"clean\","
            + "\"buildDate\":\"2024-08-13T07:28:49Z\",\"goVersion\":\"go1.22.5\",\"compiler\":\"gc\","
            + "\"platform\":\"linux/amd64\"}";

    private final FakeApiDispatcher api;

    Discovery(FakeApiDispatcher api) {
        this.api = api;
    }

    /** The discovery document at {@code bare} (a GET path without query), or empty when it is not one. */
    Optional<MockResponse> serve(String bare) {
        switch (bare) {
            case "/version":
                return Optional.of(json(200, VERSION_JSON));
            case "/healthz", "/livez", "/readyz":
                return Optional.of(new MockResponse()
                        .setResponseCode(200)
                        .setHeader("Content-Type", "text/plain")
                        .setBody("ok"));
            case "/api":
                return Optional.of(json(
                        200,
                        "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"172.18.0.2:6443\"}]}"));
            case "/apis":
                return Optional.of(json(200, Json.write(apiGroupList())));
            default:
                break;
        }
        if (bare.startsWith("/apis/") && bare.indexOf('/', "/apis/".length()) < 0) {
            String g = bare.substring("/apis/".length());
            for (JsonNode group : apiGroupList().path("groups")) {
                if (g.equals(group.path("name").asText())) {
                    ObjectNode doc = ((ObjectNode) group).deepCopy();
                    doc.put("kind", "APIGroup");
                    doc.put("apiVersion", "v1");
                    return Optional.of(json(200, Json.write(doc)));
                }
            }
            return Optional.of(FakeApiDispatcher.status(
                    404, "NotFound", "the server could not find the requested resource", null, null));
        }
        Optional<JsonNode> resourceList = resourceList(bare);
        if (resourceList.isPresent()) {
            return Optional.of(json(200, Json.write(resourceList.get())));
        }
        return Optional.empty();
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    private JsonNode apiGroupList() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResourceType t : api.allTypes(false)) {
            if (!t.group().isEmpty()) {
                List<String> vs = groups.computeIfAbsent(t.group(), g -> new ArrayList<>());
                if (!vs.contains(t.version())) {
                    vs.add(t.version());
                }
            }
        }
        ObjectNode out = Json.obj().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode arr = out.putArray("groups");
        groups.forEach((g, vs) -> {
            ObjectNode go = arr.addObject().put("name", g);
            ArrayNode versions = go.putArray("versions");
            vs.forEach(
                    v -> versions.addObject().put("groupVersion", g + "/" + v).put("version", v));
            go.putObject("preferredVersion")
                    .put("groupVersion", g + "/" + vs.get(0))
                    .put("version", vs.get(0));
        });
        return out;
    }

    private Optional<JsonNode> resourceList(String bare) {
        String gv;
        if (bare.equals("/api/v1")) {
            gv = "v1";
        } else if (bare.startsWith("/apis/") && bare.split("/").length == 4) {
            gv = bare.substring("/apis/".length());
        } else {
            return Optional.empty();
        }
        List<ResourceType> types = api.allTypes(false).stream()
                .filter(t -> t.groupVersion().equals(gv))
                .toList();
        if (types.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode out = Json.obj()
                .put("kind", "APIResourceList")
                .put("apiVersion", "v1")
                .put("groupVersion", gv);
        ArrayNode arr = out.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = arr.addObject()
                    .put("name", t.plural())
                    .put("singularName", t.singular())
                    .put("namespaced", t.namespaced())
                    .put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            ResourceType.VERBS.forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (t.hasStatus()) {
                ObjectNode s = arr.addObject()
                        .put("name", t.plural() + "/status")
                        .put("singularName", "")
                        .put("namespaced", t.namespaced())
                        .put("kind", t.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
            if (t.kind().equals("Pod")) {
                ObjectNode s = arr.addObject()
                        .put("name", "pods/log")
                        .put("singularName", "")
                        .put("namespaced", true)
                        .put("kind", "Pod");
                s.putArray("verbs").add("get");
                ObjectNode pf = arr.addObject()
                        .put("name", "pods/portforward")
                        .put("singularName", "")
                        .put("namespaced", true)
                        .put("kind", "PodPortForwardOptions");
                pf.putArray("verbs").add("create").add("get");
            }
        }
        return Optional.of(out);
    }
}
