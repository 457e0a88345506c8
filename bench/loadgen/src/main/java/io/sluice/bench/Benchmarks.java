package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What every Sluice command needs: a small Vert.x, the broker address, and a bounded wait. */
final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * A Vert.x with few event loops: the bench machine has 2 cores, and every thread the load
     * generator spins is one the broker cannot use.
     */
    static Vertx vertx(int eventLoops) {
        return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1));
    }

    static URI brokerUrl(Args args) {
        URI url = URI.create(args.string("url", "http://127.0.0.1:8080"));
        if (url.getHost() == null || url.getPort() < 0) {
            throw new IllegalArgumentException("--url needs host and port, e.g. http://127.0.0.1:8080: " + url);
        }
        return url;
    }

    static <T> T await(Future<T> future, Duration timeout) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void close(Vertx vertx) throws Exception {
        await(vertx.close(), Duration.ofSeconds(10));
    }
}
