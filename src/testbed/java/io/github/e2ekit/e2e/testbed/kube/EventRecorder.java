package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Records v1 Events as the controllers and the kubelet send them, once per (object, reason, message): a pod's
 * sent events are kept with the kubelet's state of that pod, a workload's here until the workload is gone.
 */
final class EventRecorder {
    private final FakeApiDispatcher api;
    private final ResourceType events;
    private final Function<String, Set<String>> podEventsSent;
    private final Map<String, Set<String>> workloadEvents = new ConcurrentHashMap<>();

    EventRecorder(FakeApiDispatcher api, Function<String, Set<String>> podEventsSent) {
        this.api = api;
        this.podEventsSent = podEventsSent;
        events = api.typeOf("", "v1", "events");
    }

    /** Records a v1 Event once per (object, reason, message). */
    void event(JsonNode obj, String type, String reason, String message, String component, String field) {
        String uid = Json.text(obj, "metadata", "uid");
        if (uid == null) {
            return;
        }
        String key = "event/" + reason + "/" + message;
        Set<String> sent = "Pod".equals(Json.text(obj, "kind"))
                ? podEventsSent.apply(uid)
                : workloadEvents.computeIfAbsent(uid, u -> ConcurrentHashMap.newKeySet());
        if (!sent.add(key)) {
            return;
        }
        String ns = Json.text(obj, "metadata", "namespace");
        String name = Json.text(obj, "metadata", "name");
        String now = Json.now();
        ObjectNode ev = Json.obj().put("apiVersion", "v1").put("kind", "Event");
        Json.with(ev, "metadata")
                .put("name", name + "." + Long.toHexString(System.nanoTime()))
                .put("namespace", ns);
        ObjectNode inv = ev.putObject("involvedObject")
                .put("apiVersion", Json.text(obj, "apiVersion"))
                .put("kind", Json.text(obj, "kind"))
                .put("name", name)
                .put("namespace", ns)
                .put("uid", uid);
        if (field != null) {
            inv.put("fieldPath", field);
        }
        ev.put("type", type)
                .put("reason", reason)
                .put("message", message)
                .put("count", 1)
                .put("firstTimestamp", now)
                .put("lastTimestamp", now)
                .put("reportingComponent", component)
                .put("reportingInstance", "");
        ObjectNode src = ev.putObject("source").put("component", component);
        String node = Json.text(obj, "spec", "nodeName");
        if (component.equals("kubelet") && node != null) {
            src.put("host", node);
            ev.put("reportingInstance", node);
        }
        api.internal("POST", events.collectionPath(ns), ev);
    }

    /** Forgets the events of workloads whose uid is not in {@code uids}. */
    void retain(Set<String> uids) {
        workloadEvents.keySet().retainAll(uids);
    }
}
