package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.PodLogFollower;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Pod log followers kept in the Maven JVM from deploy until teardown (or JVM exit), per module, as {@link PortForwards}. */
final class PodLogs {
    private static final Map<String, List<PodLogFollower>> OPEN = new ConcurrentHashMap<>();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.keySet().forEach(PodLogs::stopAll),
                    "e2e-pod-logs-close"));
        } catch (IllegalStateException e) {
            // first used while the JVM is already shutting down: nothing more to register
        }
    }

    private PodLogs() {
    }

    static void keep(String module, PodLogFollower f) {
        OPEN.computeIfAbsent(module, k -> new ArrayList<>()).add(f);
    }

    /** Stops every follower of a module (files flushed and closed); returns where their logs are. */
    static List<PodLogFollower> stopAll(String module) {
        List<PodLogFollower> list = OPEN.remove(module);
        if (list == null) {
            return List.of();
        }
        list.forEach(PodLogFollower::close);
        return list;
    }
}
