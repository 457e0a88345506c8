package io.sluice.replication;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The replication listener: a Vert.x TCP server on the broker's bind address that reads
 * {@link FrameCodec} frames from other brokers and serves them through a {@link RequestHandler}.
 * It owns its connections, their limits (frame size, requests in flight, write queue, how many
 * connections at once), and nothing else.
 */
public final class ReplicationServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicationServer.class.getName());

    /**
     * @param port                     0 picks a free port; {@link #port()} tells which
     * @param maxFrameBytes            the largest frame accepted or sent, length prefix included
     * @param maxInFlightPerConnection requests of one connection awaiting their replies before it is read no further
     * @param writeQueueMaxBytes       bytes queued on a socket before it counts as full (file regions are not bytes
     *                                 in memory and do not count; {@code maxInFlightPerConnection} bounds them)
     * @param maxConnections           connections at once; one more is closed as it arrives
     */
    public record Options(String bindAddress, int port, int maxFrameBytes, int maxInFlightPerConnection,
            int writeQueueMaxBytes, int maxConnections) {
        public static final int DEFAULT_MAX_IN_FLIGHT = 32;
        public static final int DEFAULT_WRITE_QUEUE_MAX_BYTES = 1024 * 1024;
        public static final int DEFAULT_MAX_CONNECTIONS = 1024;

        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            require(port >= 0 && port <= 65535, "port", port);
            require(maxFrameBytes >= FrameDescriptor.HEADER_LENGTH, "maxFrameBytes", maxFrameBytes);
            require(maxInFlightPerConnection > 0, "maxInFlightPerConnection", maxInFlightPerConnection);
            require(writeQueueMaxBytes > 0, "writeQueueMaxBytes", writeQueueMaxBytes);
            require(maxConnections > 0, "maxConnections", maxConnections);
        }

        public static Options defaults(String bindAddress, int port) {
            return new Options(bindAddress, port, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_IN_FLIGHT,
                    DEFAULT_WRITE_QUEUE_MAX_BYTES, DEFAULT_MAX_CONNECTIONS);
        }

        public Options withMaxFrameBytes(int value) {
            return new Options(bindAddress, port, value, maxInFlightPerConnection, writeQueueMaxBytes, maxConnections);
        }

        public Options withMaxInFlightPerConnection(int value) {
            return new Options(bindAddress, port, maxFrameBytes, value, writeQueueMaxBytes, maxConnections);
        }

        public Options withWriteQueueMaxBytes(int value) {
            return new Options(bindAddress, port, maxFrameBytes, maxInFlightPerConnection, value, maxConnections);
        }

        public Options withMaxConnections(int value) {
            return new Options(bindAddress, port, maxFrameBytes, maxInFlightPerConnection, writeQueueMaxBytes, value);
        }

        private static void require(boolean valid, String name, int value) {
            if (!valid) {
                throw new IllegalArgumentException(name + "=" + value + " is out of range");
            }
        }
    }

    private final Vertx vertx;
    private final Options options;
    private final RequestHandler handler;
    private final FrameCodec codec;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile NetServer server;

    public ReplicationServer(Vertx vertx, Options options, RequestHandler handler) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.codec = new FrameCodec(options.maxFrameBytes());
    }

    /** Binds the listener; completes with the port it listens on. */
    public CompletableFuture<Integer> start() {
        NetServerOptions netOptions = new NetServerOptions()
                .setHost(options.bindAddress())
                .setPort(options.port())
                .setTcpNoDelay(true);
        NetServer created = vertx.createNetServer(netOptions).connectHandler(this::accept);
        return created.listen().toCompletionStage().toCompletableFuture().thenApply(listening -> {
            server = listening;
            LOG.log(Level.INFO, "replication listener on {0}:{1}", options.bindAddress(),
                    String.valueOf(listening.actualPort()));
            return listening.actualPort();
        });
    }

    /** The port listened on, once {@link #start()} has completed. */
    public int port() {
        NetServer listening = server;
        if (listening == null) {
            throw new IllegalStateException("the replication listener is not started");
        }
        return listening.actualPort();
    }

    /** Connections open now. */
    public int connectionCount() {
        return connections.get();
    }

    /** Stops listening and closes every connection; replies not yet sent are dropped. */
    public CompletableFuture<Void> stop() {
        NetServer listening = server;
        if (listening == null) {
            return CompletableFuture.completedFuture(null);
        }
        return listening.close().toCompletionStage().toCompletableFuture();
    }

    @Override
    public void close() {
        stop().join();
    }

    private void accept(NetSocket socket) {
        if (connections.incrementAndGet() > options.maxConnections()) {
            connections.decrementAndGet();
            LOG.log(Level.WARNING, "replication connection from {0} refused: {1} connections are open already",
                    socket.remoteAddress(), options.maxConnections());
            socket.close();
            return;
        }
        socket.setWriteQueueMaxSize(options.writeQueueMaxBytes());
        Context context = vertx.getOrCreateContext();
        ServerConnection connection = new ServerConnection(socket, context, codec, handler,
                options.maxInFlightPerConnection());
        socket.closeHandler(v -> {
            connections.decrementAndGet();
            connection.closed();
        });
    }
}
