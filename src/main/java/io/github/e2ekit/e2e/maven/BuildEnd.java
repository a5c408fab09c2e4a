package io.github.e2ekit.e2e.maven;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.maven.execution.ExecutionListener;
import org.apache.maven.execution.MavenExecutionRequest;
import org.apache.maven.execution.MavenSession;

/**
 * Tells when the build ends: Maven fires its execution events through the request's {@link ExecutionListener},
 * looked up at each event (maven-core {@code DefaultExecutionEventCatapult#fire}; {@code LifecycleStarter} fires
 * {@code SessionEnded} when the build is over, failed or not), so a listener put in front of it (forwarding every event) hears {@code sessionEnded}.
 * A build's runs are released then, in a JVM that keeps running too (mvnd, an embedder), and a JVM exit before it
 * is an interrupted build.
 */
final class BuildEnd implements InvocationHandler {
    private final ExecutionListener next;
    private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();

    private BuildEnd(ExecutionListener next) {
        this.next = next;
    }

    /** Runs {@code ended} once this session's build has ended (nothing happens if Maven never says so). */
    static void watch(MavenSession session, Runnable ended) {
        MavenExecutionRequest request = session.getRequest();
        if (request == null) {
            return;
        }
        synchronized (request) {
            ExecutionListener current = request.getExecutionListener();
            if (current != null
                    && Proxy.isProxyClass(current.getClass())
                    && Proxy.getInvocationHandler(current) instanceof BuildEnd watching) {
                if (!watching.onEnd.contains(ended)) {
                    watching.onEnd.add(ended);
                }
                return;
            }
            BuildEnd watch = new BuildEnd(current);
            watch.onEnd.add(ended);
            request.setExecutionListener((ExecutionListener) Proxy.newProxyInstance(
                    BuildEnd.class.getClassLoader(), new Class<?>[] {ExecutionListener.class}, watch));
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "BuildEnd(" + next + ")";
            };
        }
        Object result = null;
        try {
            if (next != null) {
                result = method.invoke(next, args);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            if ("sessionEnded".equals(method.getName())) {
                onEnd.forEach(Runnable::run);
                onEnd.clear();
            }
        }
        return result;
    }
}
