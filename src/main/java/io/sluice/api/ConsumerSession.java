package io.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Broker;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.SerialExecutor;
import io.sluice.cluster.TopicPartition;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket reader, as its client sees it: the messages it sends (credit, seek, commit), the
 * control frames it is sent (assignment, errors) and how the session ends. The reading itself --
 * positions, credit, the outbound window, waiting for data -- is its {@link ReadLoop}; a group
 * member's membership -- heartbeats, assignment, commits -- is its {@link GroupMember}.
 *
 * <p>All state, here and in the loop, is touched only on the session's own {@link SerialExecutor},
 * so it needs no lock.
 */
final class ConsumerSession implements GroupMember.Session {
    private static final System.Logger LOG = System.getLogger(ConsumerSession.class.getName());
    /** Small control frames (errors, assignments) unsent at most: a client that sends bad messages and never reads is dropped. */
    static final int MAX_CONTROL_FRAMES_IN_FLIGHT = 32;
    /** How long a closed reader's socket may take to let its close frame through before it is dropped. */
    static final long CLOSE_GRACE_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Partitions one commit message may name. */
    static final int MAX_COMMIT_OFFSETS = 10_000;

    private final Broker broker;
    private final WebSocketConnection connection;
    private final SerialExecutor executor;
    private final ReadLoop reads;
    private final Runnable abort;
    /** Null for a reader without a group. */
    private final GroupMember member;
    private int controlFramesInFlight;
    /** Written on the executor; read also on the socket's thread, to drop messages that arrive after the end. */
    private volatile boolean closed;

    private ConsumerSession(Broker broker, WebSocketConnection connection, ConsumeRequest request,
            ConsumeLimits limits, Runnable abort) {
        this.broker = broker;
        this.connection = connection;
        this.executor = new SerialExecutor(broker.fetchPool());
        this.reads = new ReadLoop(broker, connection, request, executor, limits, this);
        this.abort = abort;
        this.member = request.group() == null ? null : new GroupMember(broker, request.group(),
                clientHost(connection), executor, reads, this, limits.drainTimeoutMs());
    }

    /** The client's address without its port, as a group's description shows its members. */
    private static String clientHost(WebSocketConnection connection) {
        String address = connection.handshakeRequest().remoteAddress();
        if (address == null) {
            return "";
        }
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }

    /** Validates the query and positions the reader; throws {@link SluiceException} on bad input. */
    static ConsumerSession open(Broker broker, WebSocketConnection connection, Query q, ConsumeLimits limits,
            Runnable abort) {
        return new ConsumerSession(broker, connection, ConsumeRequest.parse(broker, q), limits, abort);
    }

    /** Tells the client what it reads and starts sending; a group member joins its group first. */
    void start() {
        executor.execute(() -> {
            if (member != null) {
                member.start();
                return;
            }
            sendControl(Frames.assigned(reads.assignment()));
            reads.pump();
        });
    }

    /** A client message: credit, seek or commit. Bad messages get a non-fatal error frame. */
    void onMessage(String text) {
        if (closed) {
            return;
        }
        executor.execute(() -> {
            if (closed) {
                return;
            }
            try {
                handle(text);
            } catch (SluiceException e) {
                sendError(e.code().name(), e.getMessage());
            }
        });
    }

    private void handle(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException e) {
            throw invalid("malformed JSON message");
        }
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            throw invalid("a message is a JSON object with a string 'type'");
        }
        switch (message.get("type").asText()) {
            case "credit" -> {
                JsonNode n = message.get("records");
                if (n == null || !n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > Integer.MAX_VALUE) {
                    throw invalid("credit needs 'records': a whole number in [1, " + Integer.MAX_VALUE + "]");
                }
                reads.grant(n.asLong());
            }
            case "seek" -> seek(message);
            case "commit" -> {
                if (member == null) {
                    throw new SluiceException(ErrorCode.UNSUPPORTED, "commit needs a consumer group; this reader has none");
                }
                commit(message);
            }
            default -> throw invalid("unknown message type '" + Params.abbreviate(message.get("type").asText())
                    + "' (expected credit, seek or commit)");
        }
    }

    private void seek(JsonNode message) {
        String topic = message.path("topic").asText(null);
        JsonNode partition = message.get("partition");
        JsonNode offset = message.get("offset");
        if (topic == null || partition == null || !partition.isIntegralNumber() || offset == null
                || !offset.isIntegralNumber()) {
            throw invalid("seek needs 'topic' (string), 'partition' and 'offset' (whole numbers)");
        }
        reads.seek(topic, partition.asInt(), offset.asLong());
    }

    /** A {@code commit} message: {@code offsets} of {topic, partition, offset}, and optional {@code metadata}. */
    private void commit(JsonNode message) {
        JsonNode offsets = message.get("offsets");
        if (offsets == null || !offsets.isArray() || offsets.isEmpty()) {
            throw invalid("commit needs 'offsets': a non-empty array of {topic, partition, offset}");
        }
        if (offsets.size() > MAX_COMMIT_OFFSETS) {
            throw invalid("commit takes at most " + MAX_COMMIT_OFFSETS + " offsets, got " + offsets.size());
        }
        Map<TopicPartition, Long> parsed = new HashMap<>();
        for (JsonNode o : offsets) {
            JsonNode partition = o.get("partition");
            JsonNode offset = o.get("offset");
            if (!o.path("topic").isTextual() || partition == null || !partition.canConvertToInt()
                    || !partition.isIntegralNumber() || partition.asInt() < 0 || offset == null
                    || !offset.isIntegralNumber() || !offset.canConvertToLong() || offset.asLong() < 0) {
                throw invalid("each commit offset needs 'topic' (string), 'partition' and 'offset' (whole numbers >= 0)");
            }
            parsed.put(new TopicPartition(o.get("topic").asText(), partition.asInt()), offset.asLong());
        }
        JsonNode metadata = message.get("metadata");
        if (metadata != null && !metadata.isTextual() && !metadata.isNull()) {
            throw invalid("commit 'metadata' must be a string");
        }
        member.commit(parsed, metadata == null || metadata.isNull() ? "" : metadata.asText());
    }

    @Override
    public CompletableFuture<Void> send(String frame) {
        return sendControl(frame);
    }

    /**
     * Sends a small control frame. A client that lets {@link #MAX_CONTROL_FRAMES_IN_FLIGHT} of them
     * pile up (bad messages sent, nothing read) is dropped rather than queued without end.
     */
    private CompletableFuture<Void> sendControl(String frame) {
        if (controlFramesInFlight >= MAX_CONTROL_FRAMES_IN_FLIGHT) {
            LOG.log(System.Logger.Level.INFO, "dropping reader {0}: {1} control frames unread", connection.id(),
                    controlFramesInFlight);
            release();
            abort.run();
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.THROTTLED, "control frames unread"));
        }
        controlFramesInFlight++;
        CompletableFuture<Void> written = new CompletableFuture<>();
        connection.sendText(frame).subscribe().with(ok -> executor.execute(() -> {
            controlFramesInFlight--;
            written.complete(null);
        }), error -> executor.execute(() -> {
            controlFramesInFlight--;
            written.completeExceptionally(error);
        }));
        return written;
    }

    private void sendError(String code, String message) {
        sendControl(Frames.error(null, code, message));
    }

    /**
     * A fatal error: tell the client, then close. A client that does not read would never let the
     * close frame through, so the connection is dropped if it is still open after a grace period.
     */
    @Override
    public void fail(String code, String message) {
        sendError(code, message);
        connection.close(new CloseReason(1011, code)).subscribe().with(ok -> { }, error -> { });
        release();
        broker.scheduler().schedule(() -> {
            if (connection.isOpen()) {
                abort.run();
            }
        }, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A client whose socket does not drain: the error frame and the close are queued behind what it
     * never read, so the TCP connection is dropped as well, which frees its buffers.
     */
    @Override
    public void failAndDrop(String code, String message) {
        sendError(code, message);
        connection.close(new CloseReason(ConsumeSocket.POLICY_VIOLATION, code)).subscribe().with(ok -> { }, e -> { });
        release();
        abort.run();
    }

    @Override
    public void lost(String message) {
        if (closed) {
            return; // two sends in flight both failed: the first ended the session
        }
        LOG.log(System.Logger.Level.INFO, "reader {0} lost: {1}", connection.id(), message);
        end(false);
        abort.run();
    }

    /**
     * The socket closed: releases everything the session holds (its waits on partitions, its share
     * of the outbound budget). A group member whose client closed {@code cleanly} (a close frame)
     * auto-commits and leaves its group at once; one whose socket dropped just stops heartbeating,
     * and its group moves its partitions after its session timeout. Idempotent.
     */
    void close(boolean cleanly) {
        executor.execute(() -> end(cleanly));
    }

    /** Ends the session from the server's side: a group member commits what was acknowledged and leaves. */
    private void release() {
        end(true);
    }

    /** A group member leaves at once ({@code leave}), or stops heartbeating until its session times out. */
    private void end(boolean leave) {
        if (member != null && !closed) {
            if (leave) {
                member.leave();
            } else {
                member.stop();
            }
        }
        closed = true;
        reads.stop();
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
