package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PushImageCmd;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** {@link Engine#push}: the engine's push stream read for its first error and its manifest digest. */
final class ImagePush {
    private ImagePush() {}

    static PushOutcome run(DockerClient docker, String repository, String tag, RegistryAuth auth, Duration timeout)
            throws TimeoutException, InterruptedException {
        AtomicReference<String> digest = new AtomicReference<>();
        AtomicReference<String> error = new AtomicReference<>();
        PushImageCmd cmd = docker.pushImageCmd(repository).withTag(tag);
        if (auth != null) {
            AuthConfig a = new AuthConfig().withRegistryAddress(auth.registryAddress());
            cmd = cmd.withAuthConfig(
                    auth.identityToken() != null
                            ? a.withIdentityToken(auth.identityToken())
                            : a.withUsername(auth.username()).withPassword(auth.password()));
        }
        ResultCallback.Adapter<PushResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PushResponseItem item) {
                if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                    error.compareAndSet(null, item.getErrorDetail().getMessage());
                } else if (item.getError() != null) {
                    error.compareAndSet(null, item.getError());
                }
                if (item.getAux() != null && item.getAux().getDigest() != null) {
                    digest.set(item.getAux().getDigest());
                }
            }
        };
        try {
            boolean done = cmd.exec(callback).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                closeQuietly(callback);
                throw new TimeoutException();
            }
        } catch (InterruptedException e) {
            closeQuietly(callback);
            throw e;
        } catch (RuntimeException e) { // the engine's answer or the transport's: either may quote the request
            error.compareAndSet(null, String.valueOf(e.getMessage()));
        }
        return new PushOutcome(digest.get(), error.get());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already failing
        }
    }
}
