package io.github.e2ekit.e2e.testbed.kube;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.github.e2ekit.e2e.testbed.FaultRule;
import io.github.e2ekit.e2e.testbed.FaultRules;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Faults of the API server's HTTP front, chosen by the test: "the Nth request matching METHOD and a path pattern
 * (and the next ones, {@code times} in all) is answered with 503", or 500, or 429 with {@code Retry-After}, or its
 * connection is closed without an answer, or answered only after a delay, or served and then cut off after a while
 * (a port-forward, log or watch stream dropped mid-way). Applied before anything else the front does, so every kind
 * of call can be hit: CRUD, discovery, logs, watches, port-forward upgrades.
 *
 * <p>The answers copy the real API server's:
 * <ul>
 *   <li>429 from the max-in-flight and priority-and-fairness filters: {@code Retry-After} and a plain-text body
 *       ("Too many requests, please try again later."), k8s.io/apiserver {@code pkg/server/filters/maxinflight.go}
 *       {@code tooManyRequests}, called by {@code priority-and-fairness.go} when a request is rejected.</li>
 *   <li>500/503 as a {@code Status} object ({@code reason} InternalError/ServiceUnavailable), as
 *       {@code pkg/endpoints/handlers/responsewriters/writers.go} {@code ErrorNegotiated} writes an
 *       {@code apierrors} status error; it sets {@code Retry-After} from {@code details.retryAfterSeconds} when the
 *       error carries one (e.g. {@code apierrors.NewServiceUnavailable} while etcd or an aggregated API is
 *       unavailable).</li>
 * </ul>
 */
public final class ApiFaults extends FaultRules<ApiFaults.Rule> {
    /** Marks a request whose answer is to be lost; the CRUD front calls {@link #afterDispatch} with it. */
    static final String LOSE_ANSWER_HEADER = "X-Testbed-Lose-Answer";

    private static final AtomicLong LOST = new AtomicLong();
    private final Map<String, HttpConnection> losing = new ConcurrentHashMap<>();
    private final Vertx vertx;

    ApiFaults(Vertx vertx) {
        this.vertx = vertx;
    }

    /** A rule for requests with this method ({@code "*"}: any) whose path (without query) matches. */
    @Override
    protected Rule newRule(String method, Pattern path) {
        return new Rule(method, path);
    }

    /** What happens to a matched request. */
    enum Action {
        STATUS,
        CLOSE,
        LOSE_ANSWER,
        DELAY,
        CUT_AFTER
    }

    /** One rule: by default the first matching request is answered 503 once. */
    public static final class Rule extends FaultRule<Rule, Action> {
        private volatile int status = 503;
        private volatile Integer retryAfterSeconds;
        private volatile Duration delay = Duration.ZERO;

        private Rule(String method, Pattern path) {
            super(method, path, Action.STATUS);
        }

        /** Answers with {@code code} (429: plain text, as the in-flight filters; else a Status object). */
        public Rule status(int code) {
            this.status = code;
            return act(Action.STATUS);
        }

        /** Answers with {@code code} and {@code Retry-After: seconds}. */
        public Rule status(int code, int retryAfter) {
            status(code);
            this.retryAfterSeconds = retryAfter;
            return this;
        }

        /** Closes the connection without answering (the client sees the connection end: no answer). */
        public Rule closeConnection() {
            return act(Action.CLOSE);
        }

        /**
         * Does what the request asks (a create creates), then closes the connection instead of sending the answer: the
         * client cannot tell whether it happened (an answer lost on the way, or a server that died after its write).
         */
        public Rule loseAnswer() {
            return act(Action.LOSE_ANSWER);
        }

        /** Answers normally, but only after {@code d} (past a client's read timeout, the client gives up first). */
        public Rule delay(Duration d) {
            this.delay = d;
            return act(Action.DELAY);
        }

        /** Serves the request (a stream: port-forward, followed log, watch), then cuts its connection after {@code d}. */
        public Rule cutAfter(Duration d) {
            this.delay = d;
            return act(Action.CUT_AFTER);
        }

        private boolean matches(HttpServerRequest request, String bare) {
            return ("*".equals(method)
                            || method.equalsIgnoreCase(request.method().name()))
                    && path.matcher(bare).matches();
        }
    }

    /**
     * Called first for every request: true when a fault answered it (or will); {@code proceed} serves it normally
     * (at once, or later for a delay).
     */
    boolean intercept(HttpServerRequest request, Runnable proceed) {
        if (rules.isEmpty()) {
            return false;
        }
        String uri = request.uri();
        String bare = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        for (Rule r : rules) {
            if (!r.matches(request, bare) || !r.hit()) {
                continue;
            }
            switch (r.action()) {
                case STATUS -> answer(request, r);
                case CLOSE -> request.connection().close();
                case LOSE_ANSWER -> {
                    String token = Long.toString(LOST.incrementAndGet());
                    losing.put(token, request.connection());
                    request.headers().set(LOSE_ANSWER_HEADER, token);
                    proceed.run();
                }
                case DELAY -> {
                    request.pause();
                    vertx.setTimer(Math.max(1, r.delay.toMillis()), t -> {
                        proceed.run();
                        request.resume();
                    });
                }
                case CUT_AFTER -> {
                    var connection = request.connection();
                    vertx.setTimer(Math.max(1, r.delay.toMillis()), t -> connection.close());
                    proceed.run();
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Called by the CRUD front with what it is about to send: for a request whose answer is to be lost, the request has
     * been done (the dispatcher ran) and its connection is closed now, on the event loop, before the answer is written.
     */
    MockResponse afterDispatch(RecordedRequest request, MockResponse answer) {
        String token = request.getHeader(LOSE_ANSWER_HEADER);
        HttpConnection connection = token == null ? null : losing.remove(token);
        if (connection != null) {
            connection.close();
        }
        return answer;
    }

    private static void answer(HttpServerRequest request, Rule r) {
        var response = request.response().setStatusCode(r.status);
        if (r.retryAfterSeconds != null) {
            response.putHeader("Retry-After", String.valueOf(r.retryAfterSeconds));
        }
        if (r.status == 429) {
            response.putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("Too many requests, please try again later.\n");
            return;
        }
        String reason = switch (r.status) {
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "";
        };
        response.putHeader("Content-Type", "application/json")
                .end(Json.write(FakeApiDispatcher.statusBody(
                        r.status, reason, "injected fault (HTTP " + r.status + ")", null, null)));
    }
}
