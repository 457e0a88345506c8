package io.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Broker;
import io.sluice.broker.Partition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Cancellable;
import io.sluice.log.LogRecord;
import io.sluice.log.PartitionLog;
import io.sluice.log.SerialExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket reader: its partitions and positions, and the credit its client granted. The
 * session never sends more records than the credit allows. Its frames draw on the broker-wide
 * outbound budget through an {@link OutboundWindow}: a frame's bytes are reserved before its
 * records are read and returned once the socket has written it out, so a client that does not
 * read holds at most its connection's share, and the session stops reading the log until the
 * socket drains. A socket that writes nothing out for the drain timeout is dropped. When the
 * session has caught up it parks on each partition until an append wakes it: no polling. Reads
 * below the local log start are served by the tier.
 *
 * <p>All state is touched only on the session's own {@link SerialExecutor}, so it needs no lock.
 */
final class ConsumerSession {
    private static final System.Logger LOG = System.getLogger(ConsumerSession.class.getName());
    static final int MAX_RECORDS_PER_FRAME = 500;
    /** Small control frames (errors, assignments) unsent at most: a client that sends bad messages and never reads is dropped. */
    static final int MAX_CONTROL_FRAMES_IN_FLIGHT = 32;
    /**
     * Stored bytes read per frame byte: a record's JSON (topic, field names, base64) is larger than
     * its stored form, so reading half the frame's bytes fills most of a frame without reading
     * much that does not fit and is read again for the next one.
     */
    static final int JSON_EXPANSION = 2;
    /** How long a closed reader's socket may take to let its close frame through before it is dropped. */
    static final long CLOSE_GRACE_MS = 5_000;
    /** How soon a reader refused by a full budget tries again. */
    static final long BUDGET_RETRY_MS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One partition this session reads, and the next offset to send from it. */
    private static final class Position {
        final String topic;
        final int partition;
        final Partition source;
        final PartitionLog log;
        long next;
        Cancellable parked;

        Position(Partition source, long next) {
            this.topic = source.topic();
            this.partition = source.id();
            this.source = source;
            this.log = source.log();
            this.next = next;
        }
    }

    private final Broker broker;
    private final WebSocketConnection connection;
    private final RecordJsonWriter writer;
    private final SerialExecutor executor;
    private final OutboundWindow window;
    private final long drainTimeoutNanos;
    private final Runnable abort;
    private final List<Position> positions = new ArrayList<>();
    private long credit;
    private int controlFramesInFlight;
    private boolean reading;
    private boolean waitingForBudget;
    private boolean drainCheckScheduled;
    /** Written on the executor; read also on the socket's thread, to drop messages that arrive after the end. */
    private volatile boolean closed;
    private int cursor;

    private ConsumerSession(Broker broker, WebSocketConnection connection, RecordJsonWriter writer, long credit,
            ConsumeLimits limits, Runnable abort) {
        this.broker = broker;
        this.connection = connection;
        this.writer = writer;
        this.credit = credit;
        this.executor = new SerialExecutor(broker.fetchPool());
        this.window = new OutboundWindow(limits.outbound(), limits.connectionBytes());
        this.drainTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.drainTimeoutMs());
        this.abort = abort;
    }

    /** Validates the query and positions the reader; throws {@link SluiceException} on bad input. */
    static ConsumerSession open(Broker broker, WebSocketConnection connection, Query q, ConsumeLimits limits,
            Runnable abort) {
        ConsumeRequest request = ConsumeRequest.parse(broker, q);
        ConsumerSession session = new ConsumerSession(broker, connection, request.writer(), request.credits(), limits,
                abort);
        for (ConsumeRequest.Start start : request.starts()) {
            session.positions.add(new Position(start.source(), start.offset()));
        }
        return session;
    }

    /** Tells the client what it reads and starts sending. */
    void start() {
        executor.execute(() -> {
            sendControl(Frames.object("assigned", g -> {
                g.writeArrayFieldStart("partitions");
                for (Position p : positions) {
                    g.writeStartObject();
                    g.writeStringField("topic", p.topic);
                    g.writeNumberField("partition", p.partition);
                    g.writeNumberField("offset", p.next);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
            pump();
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
                credit = Math.min(Long.MAX_VALUE / 2, credit + n.asLong());
                pump();
            }
            case "seek" -> seek(message);
            case "commit" -> throw new SluiceException(ErrorCode.UNSUPPORTED,
                    "commit needs a consumer group; this reader has none");
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
        for (Position p : positions) {
            if (p.topic.equals(topic) && p.partition == partition.asInt()) {
                long target = offset.asLong();
                ConsumeRequest.checkInRange(p.source, target);
                p.next = target;
                unpark(p);
                pump();
                return;
            }
        }
        throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "this reader is not assigned " + topic + "-"
                + partition.asInt());
    }

    /**
     * Reads and sends the next frame if credit allows, the connection's window has room and no read
     * is under way; parks on every partition when all are caught up. The frame's bytes are reserved
     * from the outbound budget before the read; when the budget is full the session tries again
     * shortly. Reads below a partition's local log start go to the tier and complete later, on
     * this session's executor.
     */
    private void pump() {
        if (closed || reading || waitingForBudget || credit <= 0 || !window.hasRoom()) {
            return;
        }
        int frameBytes = window.frameBytes();
        if (!window.reserve(frameBytes)) {
            retryWhenBudgetFrees();
            return;
        }
        readNext(0, frameBytes);
    }

    private void readNext(int tried, int reserved) {
        if (tried == positions.size()) {
            window.unreserve(reserved);
            parkAll();
            return;
        }
        Position p = positions.get((cursor + tried) % positions.size());
        long from = p.next;
        int max = (int) Math.min(credit, MAX_RECORDS_PER_FRAME);
        reading = true;
        p.source.read(from, reserved / JSON_EXPANSION, max).whenComplete((read, error) -> executor.execute(() -> {
            reading = false;
            if (closed) {
                return; // release() returned the reservation with everything else
            }
            if (error != null) {
                window.unreserve(reserved);
                onReadError(p, from, SluiceException.causeOf(error));
            } else if (p.next != from) {
                window.unreserve(reserved);
                pump(); // a seek moved this partition while the read ran: the result is stale
            } else if (!read.records().isEmpty()) {
                cursor = (cursor + tried + 1) % positions.size();
                send(p, read.records(), reserved);
            } else if (from < read.highWatermark()) {
                // Below the high watermark there is data: an empty read there is a fault, and parking
                // would spin (a wait for data above the offset fires at once).
                window.unreserve(reserved);
                fail(ErrorCode.STORAGE_ERROR.name(), "reading " + p.log.name() + " at offset " + from
                        + " below the high watermark " + read.highWatermark() + " returned nothing");
            } else {
                readNext(tried + 1, reserved);
            }
        }));
    }

    /**
     * Sends the records that fit in the {@code reserved} bytes. A first record larger than that
     * goes alone, once nothing else is in flight and the budget has room for it: a big record
     * delays its reader, never stalls it.
     */
    private void send(Position p, List<LogRecord> records, int reserved) {
        RecordJsonWriter.Frame frame = writer.recordsFrame(p.topic, p.partition, records, reserved);
        if (frame.bytes() > reserved) {
            if (window.inFlightFrames() > 0) {
                window.unreserve(reserved); // read again once the frames in flight are written
                return;
            }
            if (!window.reserve(frame.bytes() - reserved)) {
                window.unreserve(reserved);
                retryWhenBudgetFrees();
                return;
            }
        } else {
            window.unreserve(reserved - frame.bytes());
        }
        p.next = frame.nextOffset();
        credit -= frame.records();
        window.sent(frame.bytes(), System.nanoTime());
        scheduleDrainCheck(drainTimeoutNanos);
        connection.sendText(frame.text()).subscribe().with(
                ok -> executor.execute(() -> frameWritten(frame.bytes())),
                e -> executor.execute(() -> fail(ErrorCode.STORAGE_ERROR.name(), "send failed: " + e)));
        // The read decoded whole batches; while the window has room, the rest goes out without
        // reading (and decoding) the same batches again. What does not fit now is dropped, not held.
        List<LogRecord> rest = records.subList(frame.records(), records.size());
        if (!rest.isEmpty() && credit > 0 && window.hasRoom() && window.reserve(window.frameBytes())) {
            send(p, rest.subList(0, (int) Math.min(rest.size(), credit)), window.frameBytes());
            return;
        }
        pump();
    }

    private void retryWhenBudgetFrees() {
        waitingForBudget = true;
        broker.scheduler().schedule(() -> executor.execute(() -> {
            waitingForBudget = false;
            pump();
        }), BUDGET_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /** Checks, {@code delayNanos} from now, that the socket is still writing frames out. One check pending at most. */
    private void scheduleDrainCheck(long delayNanos) {
        if (drainCheckScheduled || closed) {
            return;
        }
        drainCheckScheduled = true;
        broker.scheduler().schedule(() -> executor.execute(this::checkDrain), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkDrain() {
        drainCheckScheduled = false;
        if (closed || window.inFlightFrames() == 0) {
            return;
        }
        long now = System.nanoTime();
        if (window.stalled(now, drainTimeoutNanos)) {
            long ms = TimeUnit.NANOSECONDS.toMillis(drainTimeoutNanos);
            LOG.log(System.Logger.Level.INFO, "dropping reader {0}: its socket wrote nothing out for {1} ms,"
                    + " {2} bytes waiting", connection.id(), ms, window.inFlightBytes());
            failAndDrop(ErrorCode.THROTTLED.name(), "this reader read nothing for " + ms + " ms; disconnecting");
        } else {
            scheduleDrainCheck(window.progressNanos() + drainTimeoutNanos - now);
        }
    }

    private void onReadError(Position p, long from, Throwable error) {
        if (error instanceof SluiceException e && e.code() == ErrorCode.OFFSET_OUT_OF_RANGE
                && from < p.source.logStartOffset()) {
            // Retention deleted what this reader had not read yet: go on from the new log start.
            LOG.log(System.Logger.Level.INFO, "{0}: reader fell below the log start, resetting {1} -> {2}",
                    p.log.name(), from, p.source.logStartOffset());
            p.next = p.source.logStartOffset();
            pump();
            return;
        }
        SluiceException reason = p.log.isOnline() && error instanceof SluiceException e ? e : unavailable(p);
        fail(reason.code().name(), reason.getMessage());
    }

    private void parkAll() {
        for (Position p : positions) {
            if (!p.log.isOnline()) {
                // A closed log (its topic deleted, the broker stopping) fires every waiter at once,
                // forever: parking on it again would spin this session on the fetch pool. A log
                // offline after an I/O error takes no more appends either. Tell the client and stop.
                SluiceException reason = unavailable(p);
                fail(reason.code().name(), reason.getMessage());
                return;
            }
        }
        for (Position p : positions) {
            if (p.parked == null) {
                p.parked = p.log.awaitData(p.next, () -> executor.execute(() -> {
                    p.parked = null;
                    pump();
                }));
            }
        }
    }

    /** Why a partition's log went offline under this reader: its topic was deleted, or the log failed. */
    private SluiceException unavailable(Position p) {
        try {
            if (broker.topic(p.topic).log(p.partition) == p.log) {
                return new SluiceException(ErrorCode.STORAGE_ERROR, "partition " + p.log.name() + " is offline");
            }
        } catch (SluiceException deletedOrShrunk) {
            // fall through: the log this reader held is no longer the topic's
        }
        return new SluiceException(ErrorCode.TOPIC_NOT_FOUND, "topic '" + p.topic + "' was deleted");
    }

    private void frameWritten(int bytes) {
        window.written(bytes, System.nanoTime());
        pump();
    }

    private void unpark(Position p) {
        if (p.parked != null) {
            p.parked.cancel();
            p.parked = null;
        }
    }

    /**
     * Sends a small control frame. A client that lets {@link #MAX_CONTROL_FRAMES_IN_FLIGHT} of them
     * pile up (bad messages sent, nothing read) is dropped rather than queued without end.
     */
    private void sendControl(String frame) {
        if (controlFramesInFlight >= MAX_CONTROL_FRAMES_IN_FLIGHT) {
            LOG.log(System.Logger.Level.INFO, "dropping reader {0}: {1} control frames unread", connection.id(),
                    controlFramesInFlight);
            release();
            abort.run();
            return;
        }
        controlFramesInFlight++;
        connection.sendText(frame).subscribe().with(ok -> executor.execute(() -> controlFramesInFlight--),
                error -> executor.execute(() -> controlFramesInFlight--));
    }

    private void sendError(String code, String message) {
        sendControl(Frames.error(null, code, message));
    }

    /**
     * A fatal error: tell the client, then close. A client that does not read would never let the
     * close frame through, so the connection is dropped if it is still open after a grace period.
     */
    private void fail(String code, String message) {
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
    private void failAndDrop(String code, String message) {
        sendError(code, message);
        connection.close(new CloseReason(ConsumeSocket.POLICY_VIOLATION, code)).subscribe().with(ok -> { }, e -> { });
        release();
        abort.run();
    }

    /** Releases everything the session holds: parked waits on logs, its share of the outbound budget. Idempotent. */
    void close() {
        executor.execute(this::release);
    }

    private void release() {
        closed = true;
        positions.forEach(this::unpark);
        window.releaseAll();
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
