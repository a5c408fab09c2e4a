package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows the log of every container (init containers too) of every pod in one namespace into
 * {@code <directory>/<pod>.<container>.log} while the tests run, as {@code kubectl logs -f} would: the pods are
 * listed every {@code poll} (pods created later, for example by a restart or a Job's retry, are picked up), and
 * each container instance that has started is followed ({@code readNamespacedPodLog} with {@code follow=true}) in
 * its own daemon thread until it exits; a restarted container's next instance is appended to the same file.
 * {@link #close()} stops everything, flushes and closes the files, and closes the connections; nothing is left.
 */
public final class PodLogFollower implements AutoCloseable {
    private final KubeApi api;
    private final String namespace;
    private final Path directory;
    private final Duration poll;
    private final Map<String, Follower> followers = new ConcurrentHashMap<>();
    private final Thread lister;
    private volatile boolean closed;

    private PodLogFollower(KubeApi api, String namespace, Path directory, Duration poll) {
        this.lister = new Thread(this::listPods, "e2e-logs-" + namespace);
        this.api = api;
        this.namespace = namespace;
        this.directory = directory;
        this.poll = poll;
        lister.setDaemon(true);
    }

    /**
     * Starts following. {@code api} should have no read timeout ({@link KubeApi#streaming}: a quiet container sends
     * nothing for a long time) and be used only by this follower: {@link #close()} shuts its connections down.
     */
    public static PodLogFollower start(KubeApi api, String namespace, Path directory, Duration poll) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pod log directory " + directory, e);
        }
        PodLogFollower f = new PodLogFollower(api, namespace, directory, poll);
        f.listOnce();
        f.lister.start();
        return f;
    }

    public Path directory() {
        return directory;
    }

    /** The log files written so far. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        followers.values().forEach(f -> {
            if (Files.exists(f.file)) {
                out.add(f.file);
            }
        });
        return out;
    }

    private void listPods() {
        while (!closed) {
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            listOnce();
        }
    }

    private void listOnce() {
        List<V1Pod> pods;
        try {
            pods = api.listPods(namespace, null);
        } catch (RuntimeException e) {
            return; // the next pass tries again (the API server may be busy)
        }
        Set<String> seen = new HashSet<>();
        for (V1Pod p : pods) {
            String pod = p.getMetadata().getName();
            List<V1ContainerStatus> statuses = new ArrayList<>();
            if (p.getStatus() != null && p.getStatus().getInitContainerStatuses() != null) {
                statuses.addAll(p.getStatus().getInitContainerStatuses());
            }
            if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
                statuses.addAll(p.getStatus().getContainerStatuses());
            }
            for (V1ContainerStatus s : statuses) {
                String key = pod + "." + s.getName();
                seen.add(key);
                boolean started = s.getState() != null
                        && (s.getState().getRunning() != null || s.getState().getTerminated() != null);
                if (!started || s.getContainerID() == null || closed) {
                    continue;
                }
                Follower f = followers.computeIfAbsent(
                        key, k -> new Follower(pod, s.getName(), directory.resolve(k + ".log")));
                f.current = s.getContainerID();
                f.start();
            }
        }
        followers.forEach((k, f) -> f.gone = !seen.contains(k));
    }

    /** Stops following, flushes and closes every file and connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        lister.interrupt();
        followers.values().forEach(Follower::stop);
        join(lister);
        followers.values().forEach(f -> join(f.thread));
        // the API is this follower's own: drop its idle connections and its dispatcher's threads
        api.shutdown();
    }

    private static void join(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follows one container of one pod, instance after instance, into one file. */
    private final class Follower implements Runnable {
        final String pod;
        final String container;
        final Path file;
        final Thread thread;
        volatile String current;
        volatile boolean gone;
        private volatile okhttp3.Call call;
        private boolean started;

        Follower(String pod, String container, Path file) {
            this.pod = pod;
            this.container = container;
            this.file = file;
            this.thread = new Thread(this, "e2e-logs-" + namespace + "-" + pod + "-" + container);
            thread.setDaemon(true);
        }

        synchronized void start() {
            if (!started) {
                started = true;
                thread.start();
            }
        }

        @Override
        public void run() {
            String followed = null;
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                while (!closed) {
                    String id = current;
                    if (id != null && !id.equals(followed)) {
                        followed = follow(out) ? id : null;
                    } else if (gone) {
                        return;
                    } else {
                        Thread.sleep(poll.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (IOException e) {
                // the file cannot be written: nothing more to do for this container
            }
        }

        /** Copies the current instance's log until it ends; false when the log could not be opened. */
        private boolean follow(OutputStream out) throws IOException, InterruptedException {
            okhttp3.Call call;
            try {
                call = api.followPodLog(namespace, pod, container);
            } catch (KubeApiException e) {
                return false;
            }
            this.call = call;
            if (closed) {
                return true;
            }
            try (okhttp3.Response response = call.execute()) {
                if (!response.isSuccessful() || response.body() == null) {
                    // not started yet (waiting: 400), or the pod is gone: the lister's next pass decides
                    Thread.sleep(poll.toMillis());
                    return false;
                }
                InputStream in = response.body().byteStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                return true;
            } catch (IOException e) {
                if (closed) {
                    return true; // cancelled by stop()
                }
                Thread.sleep(poll.toMillis());
                return false;
            } finally {
                this.call = null;
                out.flush();
            }
        }

        void stop() {
            okhttp3.Call c = call;
            if (c != null) {
                c.cancel();
            }
            thread.interrupt();
        }
    }
}
