package io.sluice.replication;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Vert.x instance, a listener on loopback with a {@link RecordingHandler}, and clients of it; closes them all. */
final class Loopback implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    final Vertx vertx = Vertx.vertx();
    final RecordingHandler handler = new RecordingHandler();
    final List<AutoCloseable> closing = new ArrayList<>();

    ReplicationServer server(ReplicationServer.Options options) {
        ReplicationServer server = new ReplicationServer(vertx, options, handler);
        server.start().join();
        closing.add(server);
        return server;
    }

    ReplicationServer server() {
        return server(ReplicationServer.Options.defaults("127.0.0.1", 0));
    }

    ReplicationClient client(ReplicationClient.Options options, int port) {
        ReplicationClient client = new ReplicationClient(vertx, options, "127.0.0.1", port);
        closing.add(0, client);
        return client;
    }

    ReplicationClient client(int port) {
        return client(ReplicationClient.Options.defaults("127.0.0.1"), port);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
