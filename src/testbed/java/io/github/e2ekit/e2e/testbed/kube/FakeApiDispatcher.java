package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * fabric8's CRUD dispatcher, corrected where it differs from a real API server (see
 * {@link FakeKubernetes}). Every request runs under one lock, so compound operations (merge patch = read,
 * merge, write; namespace cascade) are atomic.
 *
 * <p>The store is read and written from many threads: HTTP requests, the controller loop, followed logs
 * ({@link PodLogStream}), watches ({@link WatchStream}), port-forwards ({@link PortForwardTarget}). fabric8's map is
 * a {@code Collections.synchronizedMap} whose lookups iterate it unsynchronized ({@code findResource} streams its
 * entry set), so a lookup racing a write throws {@code ConcurrentModificationException}. Hence every way into the
 * store below ({@link #find}, {@link #list}, {@link #findResource}, {@link #processEvent}, the stored-object helpers
 * and fabric8's WebSocket watch) takes the same lock as a request; it is reentrant, so request code calls them freely.
 */
final class FakeApiDispatcher extends KubernetesCrudDispatcher {

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong externalRequests = new AtomicLong();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile Runnable afterRequest = () -> {};
    private volatile LogSource logs = (ns, pod, container) -> "";
    private volatile PodLogStream.Source logFollow =
            (ns, pod, container, offset) -> new FakeControllers.LogPiece("", true);
    private volatile PodRuntime podRuntime = PodRuntime.none();
    private final WatchHub watchHub = new WatchHub(this::requestResourceVersion);
    private final Deletion deletion = new Deletion(this);
    private final NamespaceLifecycle namespaces = new NamespaceLifecycle(this, deletion);
    private final CrdLifecycle crds = new CrdLifecycle(this, deletion);
    private final Discovery discovery = new Discovery(this);
    private final ObjectDefaults objectDefaults = new ObjectDefaults();

    /** Where a pod's log comes from. */
    interface LogSource {
        String logs(String namespace, String pod, String container);
    }

    private record Fault(String prefix, int status, AtomicInteger remaining) {}

    /** A response as the fake's own controllers see it. */
    record Resp(int code, String body) {
        JsonNode json() {
            return Json.parse(body);
        }

        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    void afterRequest(Runnable r) {
        this.afterRequest = r;
    }

    void logs(LogSource logs) {
        this.logs = logs;
    }

    void logFollow(PodLogStream.Source follow) {
        this.logFollow = follow;
    }

    PodLogStream.Source logFollow() {
        return logFollow;
    }

    void podRuntime(PodRuntime runtime) {
        this.podRuntime = runtime;
    }

    /** Every change to the store, for HTTP streaming watches ({@link WatchStream}). */
    WatchHub watchHub() {
        return watchHub;
    }

    /** Runs {@code action} under the lock every request takes, so no change happens meanwhile. */
    <T> T atomically(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Every write of the store passes here; the change also goes to the watch hub. */
    @Override
    public void processEvent(
            String path,
            AttributeSet pathAttributes,
            AttributeSet oldAttributes,
            io.fabric8.kubernetes.api.model.GenericKubernetesResource resource,
            String newState) {
        lock.lock();
        try {
            String before = oldAttributes == null ? null : getMap().get(oldAttributes);
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            if (!Objects.equals(before, newState)) {
                watchHub.publish(before, newState);
            }
        } finally {
            lock.unlock();
        }
    }

    /** fabric8's lookup (it walks the map's entries unsynchronized), under the store's lock. */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        lock.lock();
        try {
            return super.findResource(attributes);
        } finally {
            lock.unlock();
        }
    }

    long externalRequests() {
        return externalRequests.get();
    }

    void failNextRequests(String pathPrefix, int status, int count) {
        faults.add(new Fault(pathPrefix, status, new AtomicInteger(count)));
    }

    static String randomSuffix(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- entry points

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            externalRequests.incrementAndGet();
            String path = request.getPath();
            for (Fault f : faults) {
                if (path.startsWith(f.prefix()) && f.remaining().getAndDecrement() > 0) {
                    return injected(f.status());
                }
            }
            faults.removeIf(f -> f.remaining().get() <= 0);
            String method = request.getMethod().toUpperCase(Locale.ROOT);
            ResourcePath rp = ResourcePath.parse(path);
            if (method.equals("GET") && rp != null && isWatch(rp)) {
                // fabric8's WebSocket watch walks the store for its initial events
                return atomically(() -> super.handleGet(path));
            }
            if (rp != null
                    && rp.group().isEmpty()
                    && "pods".equals(rp.plural())
                    && "portforward".equals(rp.subresource())) {
                return portForward(method, rp, request);
            }
            byte[] body =
                    request.getBody() == null ? new byte[0] : request.getBody().getBytes();
            return handle(method, path, request.getHeader("Content-Type"), new String(body, StandardCharsets.UTF_8));
        } finally {
            afterRequest.run();
        }
    }

    /** A request from the fake's own controllers: no faults, not counted. */
    Resp internal(String method, String path, String body) {
        MockResponse r = handle(method, path, "application/json", body == null ? "" : body);
        Buffer b = r.getBody();
        return new Resp(r.code(), b == null ? "" : b.readUtf8());
    }

    Resp internal(String method, String path, JsonNode body) {
        return internal(method, path, body == null ? "" : Json.write(body));
    }

    private static boolean isWatch(ResourcePath rp) {
        String w = rp.query().get("watch");
        return w != null && (w.equals("true") || w.equals("1"));
    }

    private MockResponse handle(String method, String path, String contentType, String body) {
        lock.lock();
        try {
            return route(method, path, contentType, body);
        } catch (IllegalArgumentException e) {
            return status(400, "BadRequest", e.getMessage(), null, null);
        } catch (RuntimeException e) {
            return status(500, "InternalError", "fake API server: " + e, null, null);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- routing

    private MockResponse route(String method, String path, String contentType, String body) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        while (bare.length() > 1 && bare.endsWith("/")) {
            bare = bare.substring(0, bare.length() - 1);
        }
        if (method.equals("GET")) {
            Optional<MockResponse> discovered = discovery.serve(bare);
            if (discovered.isPresent()) {
                return discovered.get();
            }
        }
        ResourcePath rp = ResourcePath.parse(path);
        if (rp == null) {
            return status(404, "NotFound", "the server could not find the requested resource", null, null);
        }
        ResourceType type = typeOf(rp.group(), rp.version(), rp.plural());
        if (type == null) {
            return status(404, "NotFound", "the server could not find the requested resource", null, null);
        }
        if (rp.subresource() != null && !rp.isStatus()) {
            if (method.equals("GET")
                    && type.plural().equals("pods")
                    && rp.subresource().equals("log")) {
                return podLog(rp, type);
            }
            return status(404, "NotFound", "the server could not find the requested resource", null, null);
        }
        switch (method) {
            case "GET":
                return get(rp, type, path);
            case "POST":
                return create(rp, type, body);
            case "PUT":
                return update(rp, type, body);
            case "PATCH":
                return patch(rp, type, contentType, body);
            case "DELETE":
                return delete(rp, type, path, body);
            default:
                return status(
                        405,
                        "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        null,
                        null);
        }
    }

    // ---------------------------------------------------------------- verbs

    private MockResponse get(ResourcePath rp, ResourceType type, String path) {
        if (rp.name() == null) {
            Map<String, String> q = new LinkedHashMap<>(rp.query());
            StringBuilder p = new StringBuilder(rp.mainPath());
            if (q.containsKey("labelSelector")) {
                p.append("?labelSelector=")
                        .append(java.net.URLEncoder.encode(q.get("labelSelector"), StandardCharsets.UTF_8));
            }
            MockResponse r = super.handleGet(p.toString());
            if (r.code() == 200 && r.getBody() != null) {
                JsonNode list = Json.parse(r.getBody().readUtf8());
                if (list instanceof ObjectNode o && o.has("items")) {
                    o.put("kind", type.kind() + "List");
                    o.put("apiVersion", type.groupVersion());
                    String fieldSelector = q.get("fieldSelector");
                    if (fieldSelector != null && !fieldSelector.isBlank()) {
                        ArrayNode kept = Json.arr();
                        o.get("items").forEach(i -> {
                            if (FieldSelectors.matches(i, fieldSelector)) {
                                kept.add(i);
                            }
                        });
                        o.set("items", kept);
                    }
                    return json(200, Json.write(o));
                }
            }
            return r;
        }
        JsonNode stored = find(type, rp.namespace(), rp.name());
        if (stored == null) {
            return notFound(type, rp.name());
        }
        return json(200, Json.write(stored));
    }

    private MockResponse create(ResourcePath rp, ResourceType type, String body) {
        if (rp.name() != null) {
            return status(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                    type,
                    rp.name());
        }
        JsonNode parsed = Json.parse(body);
        if (!(parsed instanceof ObjectNode obj)) {
            throw new IllegalArgumentException("the body of the request was in an unknown format");
        }
        fillTypeMeta(obj, type);
        ObjectNode meta = Json.with(obj, "metadata");
        if (type.namespaced()) {
            if (rp.namespace() == null) {
                return status(
                        405,
                        "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        type,
                        null);
            }
            if (find(namespaceType(), null, rp.namespace()) == null) {
                return status(
                        404,
                        "NotFound",
                        "namespaces \"" + rp.namespace() + "\" not found",
                        namespaceType(),
                        rp.namespace());
            }
            meta.put("namespace", rp.namespace());
        } else {
            meta.remove("namespace");
        }
        if (!meta.hasNonNull("name") || meta.get("name").asText().isEmpty()) {
            String gen = Json.text(meta, "generateName");
            if (gen == null || gen.isEmpty()) {
                return status(
                        422,
                        "Invalid",
                        type.kind() + " \"\" is invalid: metadata.name: Required value: name or "
                                + "generateName is required",
                        type,
                        "");
            }
            meta.put("name", gen + randomSuffix(5));
        }
        String name = meta.get("name").asText();
        MockResponse refused = admitCreate(type, rp.namespace(), name, obj);
        if (refused != null) {
            return refused;
        }
        if (find(type, rp.namespace(), name) != null) {
            return status(409, "AlreadyExists", type.qualifiedName() + " \"" + name + "\" already exists", type, name);
        }
        if (type.hasStatus()) {
            obj.remove("status");
        }
        objectDefaults.apply(type, obj);
        List<Validation.Cause> invalid = Validation.validate(type, obj);
        if (!invalid.isEmpty()) {
            return Validation.invalid(type, name, invalid);
        }
        MockResponse r = super.handleCreate(request("POST", type.collectionPath(rp.namespace()), Json.write(obj)));
        if (r.code() >= 300) {
            return fixError(r, type, name, "POST");
        }
        afterCreate(type, rp.namespace(), name);
        JsonNode created = find(type, rp.namespace(), name);
        return json(201, Json.write(created));
    }

    private void afterCreate(ResourceType type, String namespace, String name) {
        switch (type.kind()) {
            case "Namespace" -> {
                ObjectNode st = Json.obj().put("phase", "Active");
                ObjectNode ns = (ObjectNode) find(type, null, name);
                ns.set("status", st);
                super.handleUpdate(request("PUT", type.objectPath(null, name) + "/status", Json.write(ns)));
                ObjectNode sa = Json.obj().put("apiVersion", "v1").put("kind", "ServiceAccount");
                Json.with(sa, "metadata").put("name", "default");
                ResourceType saType = typeOf("", "v1", "serviceaccounts");
                super.handleCreate(request("POST", saType.collectionPath(name), Json.write(sa)));
            }
            case "CustomResourceDefinition" -> {
                ObjectNode crd = (ObjectNode) find(type, null, name);
                String now = Json.now();
                ObjectNode st = Json.obj();
                st.set("acceptedNames", crd.path("spec").path("names").deepCopy());
                ArrayNode conds = st.putArray("conditions");
                conds.addObject()
                        .put("type", "NamesAccepted")
                        .put("status", "True")
                        .put("reason", "NoConflicts")
                        .put("message", "no conflicts found")
                        .put("lastTransitionTime", now);
                conds.addObject()
                        .put("type", "Established")
                        .put("status", "True")
                        .put("reason", "InitialNamesAccepted")
                        .put("message", "the initial names have been accepted")
                        .put("lastTransitionTime", now);
                ArrayNode stored = st.putArray("storedVersions");
                crd.path("spec").path("versions").forEach(v -> {
                    if (v.path("storage").asBoolean(false)) {
                        stored.add(v.path("name").asText());
                    }
                });
                crd.set("status", st);
                super.handleUpdate(request("PUT", type.objectPath(null, name) + "/status", Json.write(crd)));
                crds.created(Json.text(crd, "metadata", "uid"));
            }
            default -> {}
        }
    }

    private MockResponse update(ResourcePath rp, ResourceType type, String body) {
        JsonNode parsed = Json.parse(body);
        if (!(parsed instanceof ObjectNode obj)) {
            throw new IllegalArgumentException("the body of the request was in an unknown format");
        }
        fillTypeMeta(obj, type);
        JsonNode stored = find(type, rp.namespace(), rp.name());
        if (stored == null) {
            return notFound(type, rp.name());
        }
        String bodyName = Json.text(obj, "metadata", "name");
        if (bodyName != null && !bodyName.equals(rp.name())) {
            return status(
                    400,
                    "BadRequest",
                    "the name of the object (" + bodyName + ") does not match the name on the URL (" + rp.name() + ")",
                    type,
                    rp.name());
        }
        String rv = Json.text(obj, "metadata", "resourceVersion");
        if (rv != null && !rv.isEmpty() && !rv.equals(Json.text(stored, "metadata", "resourceVersion"))) {
            return conflict(type, rp.name());
        }
        return store(rp, type, stored, obj, rp.isStatus());
    }

    /** Writes {@code desired} over {@code stored}: only status on /status, everything but status otherwise. */
    private MockResponse store(
            ResourcePath rp, ResourceType type, JsonNode stored, ObjectNode desired, boolean statusWrite) {
        ObjectNode toWrite;
        if (statusWrite) {
            toWrite = ((ObjectNode) stored).deepCopy();
            if (desired.has("status")) {
                toWrite.set("status", desired.get("status"));
            } else {
                toWrite.remove("status");
            }
        } else {
            toWrite = desired;
            if (type.hasStatus() || isCustomWithStatus(type)) {
                if (stored.has("status")) {
                    toWrite.set("status", stored.get("status").deepCopy());
                } else {
                    toWrite.remove("status");
                }
            }
            ObjectNode meta = Json.with(toWrite, "metadata");
            meta.put("name", rp.name());
            if (type.namespaced()) {
                meta.put("namespace", rp.namespace());
            }
            // a real API server defaults what it decodes on update and patch as on create (apiserver
            // pkg/endpoints/handlers/update.go, patch.go: decoding applies the scheme's defaulters), so a patched
            // pod template equals the ReplicaSet copied from it; workloads only (a Service keeps its clusterIP)
            if (Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod")
                    .contains(type.kind())) {
                objectDefaults.apply(type, toWrite);
            }
            // deletionTimestamp and ownership fields are not the writer's to change
            JsonNode dt = stored.path("metadata").get("deletionTimestamp");
            if (dt != null) {
                meta.set("deletionTimestamp", dt);
            } else {
                meta.remove("deletionTimestamp");
            }
            JsonNode grace = stored.path("metadata").get("deletionGracePeriodSeconds");
            if (grace != null) {
                meta.set("deletionGracePeriodSeconds", grace);
            } else {
                meta.remove("deletionGracePeriodSeconds");
            }
        }
        if (!statusWrite) {
            // apiserver pkg/endpoints/handlers/update.go/patch.go: the written object is defaulted before validation,
            // and a Service keeps its allocated clusterIP when the write leaves it out (pkg/registry/core/service/
            // storage/storage.go patchAllocatedValues)
            if (type.kind().equals("Service")
                    && !toWrite.path("spec").hasNonNull("clusterIP")
                    && stored.path("spec").hasNonNull("clusterIP")) {
                Json.with(toWrite, "spec").set("clusterIP", stored.path("spec").get("clusterIP"));
                Json.with(toWrite, "spec").set("clusterIPs", stored.path("spec").path("clusterIPs"));
            }
            if (!type.kind().equals("Namespace")) {
                objectDefaults.apply(type, toWrite);
            }
            List<Validation.Cause> invalid = new ArrayList<>(Validation.immutable(type, stored, toWrite));
            invalid.addAll(Validation.validate(type, toWrite));
            if (!invalid.isEmpty()) {
                return Validation.invalid(type, rp.name(), invalid);
            }
        }
        Json.with(toWrite, "metadata").put("resourceVersion", Json.text(stored, "metadata", "resourceVersion"));
        String target = type.objectPath(rp.namespace(), rp.name()) + (statusWrite ? "/status" : "");
        if (stored.path("metadata").path("deletionGracePeriodSeconds").asLong(0) > 0) {
            // a pod in its grace period stays whatever is written (the mock's PUT would drop an object marked for
            // deletion that has no finalizers): apiserver registry/store.go ShouldDeleteDuringUpdate
            writeStored(type, rp.namespace(), rp.name(), toWrite, true);
        } else {
            MockResponse r = super.handleUpdate(request("PUT", target, Json.write(toWrite)));
            if (r.code() >= 300) {
                return fixError(r, type, rp.name(), "PUT");
            }
        }
        deletion.collectIfFinalized(type, rp.namespace(), rp.name());
        JsonNode now = find(type, rp.namespace(), rp.name());
        if (now == null) { // deleted: marked for deletion and no finalizers left
            return json(200, Json.write(toWrite));
        }
        return json(200, Json.write(now));
    }

    private boolean isCustomWithStatus(ResourceType type) {
        return !ResourceType.BUILT_IN.contains(type) && type.hasStatus();
    }

    private MockResponse patch(ResourcePath rp, ResourceType type, String contentType, String body) {
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode stored = find(type, rp.namespace(), rp.name());
        JsonNode result;
        switch (ct) {
            case "application/merge-patch+json" -> {
                if (stored == null) {
                    return notFound(type, rp.name());
                }
                result = Json.mergePatch(stored, Json.parse(body));
            }
            case "application/strategic-merge-patch+json" -> {
                if (stored == null) {
                    return notFound(type, rp.name());
                }
                if (!ResourceType.BUILT_IN.contains(type)) {
                    return unsupportedPatchType(type, rp.name());
                }
                result = Json.strategicMerge(stored, Json.parse(body));
            }
            case "application/json-patch+json" -> {
                if (stored == null) {
                    return notFound(type, rp.name());
                }
                try {
                    result = JsonPatch.apply(Json.parse(body), stored);
                } catch (RuntimeException e) {
                    return status(
                            422,
                            "Invalid",
                            "the server rejected our request due to an error in our request: " + e.getMessage(),
                            type,
                            rp.name());
                }
            }
            case "application/apply-patch+yaml", "application/apply-patch+cbor" -> {
                String fm = rp.query().get("fieldManager");
                if (fm == null || fm.isEmpty()) {
                    return status(
                            422,
                            "Invalid",
                            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                                    + "is required for apply patch",
                            type,
                            rp.name());
                }
                JsonNode applied;
                try {
                    applied = YAML.readTree(body);
                } catch (Exception e) {
                    return status(400, "BadRequest", "error decoding YAML: " + e.getMessage(), type, rp.name());
                }
                if (stored == null) {
                    if (rp.isStatus()) {
                        return notFound(type, rp.name());
                    }
                    ObjectNode o = (ObjectNode) applied;
                    Json.with(o, "metadata").put("name", rp.name());
                    return create(
                            new ResourcePath(
                                    rp.group(),
                                    rp.version(),
                                    rp.namespace(),
                                    rp.plural(),
                                    null,
                                    null,
                                    Map.of(),
                                    type.collectionPath(rp.namespace())),
                            type,
                            Json.write(o));
                }
                ObjectNode a = ((ObjectNode) applied).deepCopy();
                Json.with(a, "metadata").remove("resourceVersion");
                result = Json.strategicMerge(stored, a);
            }
            default -> {
                return unsupportedPatchType(type, rp.name());
            }
        }
        if (!(result instanceof ObjectNode obj)) {
            return status(422, "Invalid", "patch did not produce an object", type, rp.name());
        }
        String rv = Json.text(obj, "metadata", "resourceVersion");
        if (rv != null && !rv.isEmpty() && !rv.equals(Json.text(stored, "metadata", "resourceVersion"))) {
            return conflict(type, rp.name());
        }
        fillTypeMeta(obj, type);
        return store(rp, type, stored, obj, rp.isStatus());
    }

    private MockResponse delete(ResourcePath rp, ResourceType type, String path, String body) {
        if (rp.name() == null) {
            List<JsonNode> deleted = new ArrayList<>();
            MockResponse list = get(rp, type, path);
            if (list.code() == 200) {
                for (JsonNode item : Json.items(Json.parse(list.getBody().readUtf8()))) {
                    deletion.delete(
                            type,
                            rp.namespace() == null ? Json.text(item, "metadata", "namespace") : rp.namespace(),
                            Json.text(item, "metadata", "name"),
                            withQueryOptions(rp, body));
                    deleted.add(item);
                }
            }
            ObjectNode out = Json.obj().put("apiVersion", type.groupVersion()).put("kind", type.kind() + "List");
            out.putObject("metadata");
            ArrayNode items = out.putArray("items");
            deleted.forEach(items::add);
            return json(200, Json.write(out));
        }
        return deletion.delete(type, rp.namespace(), rp.name(), withQueryOptions(rp, body));
    }

    /**
     * DeleteOptions may come as query parameters too (apiserver pkg/endpoints/handlers/delete.go: the query is
     * decoded into the options when the body is empty).
     */
    private static String withQueryOptions(ResourcePath rp, String body) {
        if (body != null && !body.isBlank() || rp.query().isEmpty()) {
            return body;
        }
        ObjectNode o = Json.obj();
        String grace = rp.query().get("gracePeriodSeconds");
        if (grace != null && grace.matches("-?\\d+")) {
            o.put("gracePeriodSeconds", Long.parseLong(grace));
        }
        String policy = rp.query().get("propagationPolicy");
        if (policy != null) {
            o.put("propagationPolicy", policy);
        }
        return Json.write(o);
    }

    // ---------------------------------------------------------------- lifecycle hooks (Deletion, NamespaceLifecycle,
    // CrdLifecycle, Validation live in their own classes; these are their doors into the store)

    /** Admission before a create: terminating namespaces (403/409), CRs of a terminating CRD (405). */
    private MockResponse admitCreate(ResourceType type, String namespace, String name, ObjectNode obj) {
        MockResponse r = namespaces.admitCreate(type, namespace, name);
        return r != null ? r : crds.admitWrite(type, name, "create");
    }

    /** One pass of the lifecycle controllers (namespace controller, finalizers, CRD cleanup, discovery). */
    void lifecyclePass() {
        locked(deletion::pass);
        namespaces.pass();
        locked(crds::pass);
    }

    void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /** Removes a stored object at once (no finalizers consulted). */
    void removeStored(ResourceType type, String namespace, String name) {
        locked(() -> {
            String p = type.objectPath(namespace, name);
            Map.Entry<AttributeSet, String> e = findResource(getKey(p));
            if (e != null) {
                processEvent(p, getKey(p), e.getKey(), null, null);
            }
        });
    }

    /**
     * Stores {@code obj} as it is (metadata, spec and status), bumping its resourceVersion; unlike the mock's
     * own PUT handler this never deletes an object marked for deletion (the lifecycle classes decide that).
     */
    void writeStored(ResourceType type, String namespace, String name, ObjectNode obj, boolean withStatus) {
        locked(() -> writeStoredLocked(type, namespace, name, obj, withStatus));
    }

    private void writeStoredLocked(
            ResourceType type, String namespace, String name, ObjectNode obj, boolean withStatus) {
        String p = type.objectPath(namespace, name);
        Map.Entry<AttributeSet, String> e = findResource(getKey(p));
        if (e == null) {
            return;
        }
        ObjectNode toWrite = obj.deepCopy();
        if (!withStatus) {
            JsonNode old = Json.parse(e.getValue()).get("status");
            if (old != null) {
                toWrite.set("status", old);
            } else {
                toWrite.remove("status");
            }
        }
        Json.with(toWrite, "metadata").put("resourceVersion", String.valueOf(requestResourceVersion()));
        String value = Json.write(toWrite);
        // (path, its attributes, the stored entry's key to replace: the watch sees the stored object as "before")
        processEvent(
                p,
                getKey(p),
                e.getKey(),
                io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                        value, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class),
                value);
    }

    /** Every stored object. */
    List<JsonNode> allStored() {
        List<JsonNode> out = new ArrayList<>();
        for (String v : atomically(() -> new ArrayList<>(getMap().values()))) {
            JsonNode o = Json.parse(v);
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    /** The type of a stored object, from its apiVersion and kind. */
    ResourceType typeOfObject(JsonNode o) {
        String apiVersion = Json.text(o, "apiVersion");
        String kind = Json.text(o, "kind");
        for (ResourceType t : allTypes(true)) {
            if (t.groupVersion().equals(apiVersion) && t.kind().equals(kind)) {
                return t;
            }
        }
        return null;
    }

    /** Whether any stored object names {@code uid} as an owner. */
    boolean hasDependents(String uid) {
        if (uid == null) {
            return false;
        }
        for (JsonNode o : allStored()) {
            for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
                if (uid.equals(ref.path("uid").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    MockResponse notFoundResponse(ResourceType type, String name) {
        return notFound(type, name);
    }

    MockResponse jsonResponse(int code, String body) {
        return json(code, body);
    }

    /**
     * {@code pods/{name}/portforward} over a WebSocket ({@code v4.channel.k8s.io}, what client-java speaks), bridged
     * to the pod through the pod runtime; see {@link PortForwardSession}. SPDY and SPDY over WebSocket (what kubectl
     * speaks) are served by {@link ApiFront} before requests reach this dispatcher.
     */
    private MockResponse portForward(String method, ResourcePath rp, RecordedRequest request) {
        ResourceType type = typeOf("", "v1", "pods");
        PortForwardTarget target = PortForwardTarget.resolve(this, rp, method);
        if (target.error() != null) {
            return target.error();
        }
        List<Integer> ports = new ArrayList<>();
        String raw = request.getPath();
        int q = raw.indexOf('?');
        if (q >= 0) {
            for (String kv : raw.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                if (k.equals("ports") || k.equals("port")) {
                    for (String v : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8)
                            .split(",")) {
                        try {
                            int port = Integer.parseInt(v.trim());
                            if (port < 1 || port > 65535) {
                                throw new NumberFormatException();
                            }
                            ports.add(port);
                        } catch (NumberFormatException e) {
                            return status(400, "BadRequest", "invalid port \"" + v + "\"", type, rp.name());
                        }
                    }
                }
            }
        }
        if (ports.isEmpty()) {
            return status(400, "BadRequest", "query parameter \"port\" is required", type, rp.name());
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            return status(400, "BadRequest", "Upgrade request required", type, rp.name());
        }
        return new MockResponse()
                .withWebSocketUpgrade(new PortForwardSession(podRuntime, target.pod(), ports, target.notRunning()));
    }

    PodRuntime podRuntime() {
        return podRuntime;
    }

    private MockResponse podLog(ResourcePath rp, ResourceType type) {
        JsonNode pod = find(type, rp.namespace(), rp.name());
        if (pod == null) {
            return notFound(type, rp.name());
        }
        String text = logs.logs(rp.namespace(), rp.name(), rp.query().get("container"));
        String tail = rp.query().get("tailLines");
        if (text != null && tail != null && tail.matches("\\d+")) {
            // kubernetes pkg/kubelet/kuberuntime/logs/logs.go: tailLines keeps the last N lines
            text = PodLogStream.lastLines(text, Integer.parseInt(tail));
        }
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "text/plain")
                .setBody(text == null ? "" : text);
    }

    // ---------------------------------------------------------------- store access

    /** The stored object, or null. */
    JsonNode find(ResourceType type, String namespace, String name) {
        Map.Entry<AttributeSet, String> e = findResource(getKey(type.objectPath(namespace, name)));
        return e == null ? null : Json.parse(e.getValue());
    }

    /** All stored objects of a type (in a namespace, or everywhere when null), as they were at one moment. */
    List<JsonNode> list(ResourceType type, String namespace) {
        MockResponse r = atomically(() -> super.handleGet(type.collectionPath(namespace)));
        if (r.code() != 200 || r.getBody() == null) {
            return List.of();
        }
        return Json.items(Json.parse(r.getBody().readUtf8()));
    }

    private static void fillTypeMeta(ObjectNode obj, ResourceType type) {
        if (!obj.hasNonNull("apiVersion") || obj.get("apiVersion").asText().isEmpty()) {
            obj.put("apiVersion", type.groupVersion());
        }
        if (!obj.hasNonNull("kind") || obj.get("kind").asText().isEmpty()) {
            obj.put("kind", type.kind());
        }
    }

    private static RecordedRequest request(String method, String path, String body) {
        Headers headers =
                Headers.builder().add("Content-Type", "application/json").build();
        return new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.valueOf(method),
                path,
                headers,
                new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- types and discovery

    static ResourceType namespaceType() {
        return ResourceType.BUILT_IN.get(0);
    }

    /** A built-in type or one defined by a stored CRD (served version), or null. */
    ResourceType typeOf(String group, String version, String plural) {
        for (ResourceType t : ResourceType.BUILT_IN) {
            if (t.group().equals(group)
                    && t.version().equals(version)
                    && t.plural().equals(plural)) {
                return t;
            }
        }
        for (ResourceType t : customTypes(true)) {
            if (t.group().equals(group)
                    && t.version().equals(version)
                    && t.plural().equals(plural)) {
                return t;
            }
        }
        return null;
    }

    /** Types of stored CRDs: all of them ({@code served}), or only those discovery already lists. */
    List<ResourceType> customTypes(boolean served) {
        List<ResourceType> out = new ArrayList<>();
        ResourceType crdType = ResourceType.BUILT_IN.get(ResourceType.BUILT_IN.size() - 1);
        for (JsonNode crd : list(crdType, null)) {
            if (!served && !crds.discoverable(crd)) {
                continue;
            }
            JsonNode spec = crd.path("spec");
            JsonNode names = spec.path("names");
            List<String> shortNames = new ArrayList<>();
            names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
            for (JsonNode v : spec.path("versions")) {
                if (!v.path("served").asBoolean(true)) {
                    continue;
                }
                String singular = names.path("singular")
                        .asText(names.path("kind").asText().toLowerCase(Locale.ROOT));
                out.add(new ResourceType(
                        spec.path("group").asText(),
                        v.path("name").asText(),
                        names.path("plural").asText(),
                        singular,
                        names.path("kind").asText(),
                        !"Cluster".equals(spec.path("scope").asText()),
                        v.path("subresources").has("status"),
                        List.copyOf(shortNames)));
            }
        }
        return out;
    }

    /** Types for discovery (CRDs after their discovery delay), or every served type. */
    List<ResourceType> allTypes(boolean served) {
        List<ResourceType> all = new ArrayList<>(ResourceType.BUILT_IN);
        all.addAll(customTypes(served));
        return all;
    }

    // ---------------------------------------------------------------- responses

    private static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    private MockResponse notFound(ResourceType type, String name) {
        return status(404, "NotFound", type.qualifiedName() + " \"" + name + "\" not found", type, name);
    }

    /**
     * A patch of a content type this resource does not take (k8s.io/apiserver pkg/endpoints/handlers/patch.go
     * PatchResource: 415 naming the patch types it accepts; custom resources take no strategic merge patch).
     */
    private MockResponse unsupportedPatchType(ResourceType type, String name) {
        return status(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted "
                        + "media types include: application/json-patch+json, application/merge-patch+json, "
                        + "application/apply-patch+yaml",
                type,
                name);
    }

    private MockResponse conflict(ResourceType type, String name) {
        return status(
                409,
                "Conflict",
                "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name
                        + "\": the object has been modified; please apply your changes to the latest version and try again",
                type,
                name);
    }

    /** Gives an error from the underlying mock a real Status body. */
    private MockResponse fixError(MockResponse r, ResourceType type, String name, String method) {
        String message = null;
        if (r.getBody() != null) {
            JsonNode b = Json.parse(r.getBody().readUtf8());
            message = b == null ? null : Json.text(b, "message");
        }
        return switch (r.code()) {
            case 404 -> notFound(type, name);
            case 409 ->
                method.equals("POST")
                        ? status(
                                409,
                                "AlreadyExists",
                                type.qualifiedName() + " \"" + name + "\" already exists",
                                type,
                                name)
                        : conflict(type, name);
            case 422 ->
                status(422, "Invalid", Objects.requireNonNullElse(message, type.kind() + " is invalid"), type, name);
            case 400 -> status(400, "BadRequest", Objects.requireNonNullElse(message, "bad request"), type, name);
            default -> status(r.code(), "InternalError", Objects.requireNonNullElse(message, "error"), type, name);
        };
    }

    private static MockResponse injected(int code) {
        String reason = switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "Unknown";
        };
        ObjectNode st = statusBody(code, reason, "injected fault (HTTP " + code + ")", null, null);
        MockResponse r = json(code, Json.write(st));
        if (code == 429 || code == 503) {
            Json.with(st, "details").put("retryAfterSeconds", 0);
            r = json(code, Json.write(st)).setHeader("Retry-After", "0");
        }
        return r;
    }

    static MockResponse status(int code, String reason, String message, ResourceType type, String name) {
        return json(code, Json.write(statusBody(code, reason, message, type, name)));
    }

    static ObjectNode statusBody(int code, String reason, String message, ResourceType type, String name) {
        ObjectNode st = Json.obj().put("kind", "Status").put("apiVersion", "v1");
        st.putObject("metadata");
        st.put("status", "Failure");
        if (message != null) {
            st.put("message", message);
        }
        if (reason != null) {
            st.put("reason", reason);
        }
        if (type != null || name != null) {
            ObjectNode d = st.putObject("details");
            if (name != null) {
                d.put("name", name);
            }
            if (type != null) {
                if (!type.group().isEmpty()) {
                    d.put("group", type.group());
                }
                d.put("kind", type.plural());
            }
        } else {
            st.putObject("details");
        }
        st.put("code", code);
        return st;
    }
}
