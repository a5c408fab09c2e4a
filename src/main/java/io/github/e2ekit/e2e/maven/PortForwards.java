package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.PortForwarder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Port-forwards kept open in the Maven JVM from deploy until teardown (or JVM exit), per module. */
final class PortForwards {
    private static final Map<String, List<PortForwarder>> OPEN = new ConcurrentHashMap<>();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.keySet().forEach(PortForwards::closeAll),
                    "e2e-port-forwards-close"));
        } catch (IllegalStateException e) {
            // first used while the JVM is already shutting down: nothing more to register
        }
    }

    private PortForwards() {
    }

    static void keep(String module, PortForwarder f) {
        OPEN.computeIfAbsent(module, k -> new ArrayList<>()).add(f);
    }

    /** Closes every forward of a module; returns how many were open. */
    static int closeAll(String module) {
        List<PortForwarder> list = OPEN.remove(module);
        if (list == null) {
            return 0;
        }
        list.forEach(PortForwarder::close);
        return list.size();
    }
}
