package io.sluice.replication;

import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One broker's connection to another broker's replication listener, bound to the local bind
 * address so that packet filters between broker addresses cut it too. Requests are encoded on the
 * caller's thread, then everything about the connection happens on one Vert.x context: no locks,
 * and several requests in flight, matched to replies by correlation id. The connection is opened
 * on first use and again on the first use after it is lost; a loss fails every request awaiting
 * a reply. Futures complete on the event loop: stages that block must be attached with an executor.
 */
public final class ReplicationClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicationClient.class.getName());

    /**
     * @param requestTimeout     how long a reply may take beyond the time the request itself lets the
     *                           peer wait (a fetch's maxWaitMs, a produce's or read's timeoutMs)
     * @param maxPendingRequests requests awaiting their replies at once; one more fails at once with
     *                           {@code BROKER_BUSY}, so a peer that stops reading cannot make this
     *                           broker queue requests without bound
     */
    public record Options(String bindAddress, int maxFrameBytes, Duration connectTimeout, Duration requestTimeout,
            int maxPendingRequests) {
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;

        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (maxFrameBytes < FrameDescriptor.HEADER_LENGTH || connectTimeout.isNegative()
                    || requestTimeout.isNegative() || requestTimeout.isZero() || maxPendingRequests <= 0) {
                throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes + " connectTimeout="
                        + connectTimeout + " requestTimeout=" + requestTimeout + " maxPendingRequests="
                        + maxPendingRequests + ": out of range");
            }
        }

        public static Options defaults(String bindAddress) {
            return new Options(bindAddress, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, DEFAULT_CONNECT_TIMEOUT,
                    DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_PENDING_REQUESTS);
        }

        public Options withRequestTimeout(Duration value) {
            return new Options(bindAddress, maxFrameBytes, connectTimeout, value, maxPendingRequests);
        }

        public Options withMaxFrameBytes(int value) {
            return new Options(bindAddress, value, connectTimeout, requestTimeout, maxPendingRequests);
        }

        public Options withMaxPendingRequests(int value) {
            return new Options(bindAddress, maxFrameBytes, connectTimeout, requestTimeout, value);
        }
    }

    private final Vertx vertx;
    private final Options options;
    private final String host;
    private final int port;
    private final String peer;
    private final FrameCodec codec;
    private final Context context;
    private final NetClient netClient;
    private final AtomicInteger correlationIds = new AtomicInteger();
    private final AtomicInteger pendingRequests = new AtomicInteger();

    // Confined to the context.
    private final Map<Integer, Pending> awaitingReply = new HashMap<>();
    private final List<Pending> awaitingConnection = new ArrayList<>();
    private Connection connection;
    private boolean connecting;
    private boolean closed;

    public ReplicationClient(Vertx vertx, Options options, String host, int port) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.options = Objects.requireNonNull(options, "options");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.peer = host + ":" + port;
        this.codec = new FrameCodec(options.maxFrameBytes());
        this.context = vertx.getOrCreateContext();
        this.netClient = vertx.createNetClient(new NetClientOptions()
                .setLocalAddress(options.bindAddress())
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setTcpNoDelay(true));
    }

    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
        return send(FrameType.FETCH, request, request.maxWaitMs());
    }

    /** Sent and forgotten: a report that is lost is superseded by the next one (and by every fetch). */
    public void position(PositionUpdate update) {
        EncodedFrame frame = codec.encode(FrameType.POSITION, correlationIds.incrementAndGet(), update);
        context.runOnContext(v -> submit(new Pending(frame, null, 0)));
    }

    public CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request) {
        return send(FrameType.EPOCH_END, request, 0);
    }

    public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
        return send(FrameType.PRODUCE, request, request.timeoutMs());
    }

    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        return send(FrameType.READ, request, request.timeoutMs());
    }

    public CompletableFuture<GroupResponse> group(GroupRequest request) {
        return send(FrameType.GROUP, request, request.timeoutMs());
    }

    /** Closes the connection; requests awaiting a reply fail, later ones fail at once. */
    @Override
    public void close() {
        context.runOnContext(v -> {
            closed = true;
            failAll(ReplicationException.closed(peer));
            if (connection != null) {
                connection.socket.close();
            }
            netClient.close();
        });
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> send(FrameType type, Object request, int peerWaitMs) {
        CompletableFuture<T> reply = new CompletableFuture<>();
        EncodedFrame frame;
        try {
            frame = codec.encode(type, correlationIds.incrementAndGet(), request);
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
            return reply;
        }
        if (pendingRequests.incrementAndGet() > options.maxPendingRequests()) {
            pendingRequests.decrementAndGet();
            reply.completeExceptionally(ReplicationException.busy(peer, options.maxPendingRequests()));
            return reply;
        }
        reply.whenComplete((message, error) -> pendingRequests.decrementAndGet());
        long timeoutMs = options.requestTimeout().toMillis() + Math.max(0, peerWaitMs);
        Pending pending = new Pending(frame, (CompletableFuture<Object>) reply, timeoutMs);
        context.runOnContext(v -> submit(pending));
        return reply;
    }

    private void submit(Pending pending) {
        if (closed) {
            pending.fail(ReplicationException.closed(peer));
            return;
        }
        if (pending.reply != null) {
            int id = pending.frame.correlationId();
            awaitingReply.put(id, pending);
            pending.timer = vertx.setTimer(pending.timeoutMs, t -> {
                Pending expired = awaitingReply.remove(id);
                if (expired != null) {
                    boolean sent = !awaitingConnection.remove(expired);
                    expired.fail(ReplicationException.timedOut(peer, expired.frame.type(), expired.timeoutMs, sent));
                }
            });
        }
        if (connection != null) {
            if (pending.reply == null && connection.socket.writeQueueFull()) {
                return; // a position report the peer is not reading yet: the next one supersedes it
            }
            write(connection, pending);
            return;
        }
        awaitingConnection.add(pending);
        if (!connecting) {
            connect();
        }
    }

    private void connect() {
        connecting = true;
        netClient.connect(port, host).onComplete(result -> {
            connecting = false;
            List<Pending> waiting = new ArrayList<>(awaitingConnection);
            awaitingConnection.clear();
            if (result.failed() || closed) {
                if (result.succeeded()) {
                    result.result().close();
                }
                Throwable cause = result.failed() ? result.cause() : ReplicationException.closed(peer);
                LOG.log(Level.DEBUG, "cannot connect to {0}: {1}", peer, cause.toString());
                for (Pending pending : waiting) {
                    forget(pending);
                    pending.fail(ReplicationException.unreachable(peer, cause));
                }
                return;
            }
            connection = new Connection(result.result());
            for (Pending pending : waiting) {
                write(connection, pending);
            }
        });
    }

    private void write(Connection target, Pending pending) {
        target.sender.send(pending.frame).onFailure(e -> {
            if (pending.reply != null && awaitingReply.remove(pending.frame.correlationId()) != null) {
                vertx.cancelTimer(pending.timer);
                pending.fail(ReplicationException.connectionLost(peer));
            }
        });
    }

    private void onReply(Connection from, Frame frame) {
        Pending pending = awaitingReply.remove(frame.correlationId());
        if (pending == null) {
            return; // it timed out already, and its caller has its answer
        }
        vertx.cancelTimer(pending.timer);
        if (frame.type() == FrameType.ERROR) {
            pending.fail(ReplicationException.remote(peer, (Error) frame.message()));
        } else if (frame.type() != pending.frame.type().responseType()) {
            pending.fail(ReplicationException.protocol(peer, "a " + frame.type() + " answered a "
                    + pending.frame.type()));
            from.receiver.stop();
            from.socket.close();
        } else {
            pending.reply.complete(frame.message());
        }
    }

    private void onClosed(Connection lost) {
        if (connection == lost) {
            connection = null;
            failAll(ReplicationException.connectionLost(peer));
        }
    }

    private void failAll(ReplicationException error) {
        List<Pending> failed = new ArrayList<>(awaitingReply.values());
        failed.addAll(awaitingConnection);
        awaitingReply.clear();
        awaitingConnection.clear();
        for (Pending pending : failed) {
            forget(pending);
            pending.fail(error);
        }
    }

    private void forget(Pending pending) {
        if (pending.reply != null) {
            awaitingReply.remove(pending.frame.correlationId());
            vertx.cancelTimer(pending.timer);
        }
    }

    /** One open socket: its frames in and out. A new one replaces it after a loss. */
    private final class Connection {
        final NetSocket socket;
        final FrameSender sender;
        final FrameReceiver receiver;

        Connection(NetSocket socket) {
            this.socket = socket;
            this.sender = new FrameSender(socket);
            this.receiver = new FrameReceiver(socket, codec, this::onBody, e -> {
                LOG.log(Level.WARNING, "closing the connection to {0}: {1}", peer, e.getMessage());
                socket.close();
            });
            socket.exceptionHandler(e -> {
                LOG.log(Level.DEBUG, "the connection to {0} failed: {1}", peer, e.toString());
                socket.close();
            });
            socket.closeHandler(v -> onClosed(this));
        }

        private void onBody(ByteBuffer body) {
            Frame frame;
            try {
                frame = codec.decode(body);
            } catch (FrameDecodeException e) {
                LOG.log(Level.WARNING, "closing the connection to {0}: {1}", peer, e.getMessage());
                receiver.stop();
                socket.close();
                return;
            }
            onReply(this, frame);
        }
    }

    /** A request on its way: its frame, and for those with a reply, the caller's future and its timer. */
    private static final class Pending {
        final EncodedFrame frame;
        final CompletableFuture<Object> reply;
        final long timeoutMs;
        long timer = -1;

        Pending(EncodedFrame frame, CompletableFuture<Object> reply, long timeoutMs) {
            this.frame = frame;
            this.reply = reply;
            this.timeoutMs = timeoutMs;
        }

        void fail(ReplicationException error) {
            if (reply != null) {
                reply.completeExceptionally(error);
            }
        }
    }
}
