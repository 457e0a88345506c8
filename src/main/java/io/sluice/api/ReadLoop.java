package io.sluice.api;

import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Broker;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogRecord;
import io.sluice.log.SerialExecutor;
import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reading half of a WebSocket reader ({@link ConsumerSession} owns the other: the client's
 * messages and the session's end). Owns the partitions read ({@link ReadPosition}s, which a group
 * adds and removes at run time), the credit the client granted and the {@link Acknowledgements} it
 * implies, and the connection's {@link OutboundWindow}. It never sends more records than
 * the credit allows; a frame's bytes are reserved from the broker-wide outbound budget before its
 * records are read and returned once the socket has written it out, so a client that does not read
 * holds at most its connection's share, and reading stops until the socket drains. A socket that
 * writes nothing out for the drain timeout is dropped. Caught up, the loop waits on every partition
 * until the broker says data may be there: no polling.
 *
 * <p>It reaches partitions only through {@link Broker#fetch} and {@link Broker#awaitData}, by topic
 * and partition number, so it reads the same whether this broker leads a partition or another one.
 * All state is touched only on the session's {@link SerialExecutor}, so it needs no lock.
 */
final class ReadLoop {
    static final int MAX_RECORDS_PER_FRAME = 500;
    /**
     * Stored bytes read per frame byte: a record's JSON (topic, field names, base64) is larger than
     * its stored form, so reading half the frame's bytes fills most of a frame without reading
     * much that does not fit and is read again for the next one.
     */
    static final int JSON_EXPANSION = 2;
    /** How soon a reader refused by a full budget tries again. */
    static final long BUDGET_RETRY_MS = 50;
    /**
     * How long a caught-up reader waits on a partition before it reads again unasked. A bound, so
     * that a wait the broker serves elsewhere (a partition led by another broker) is renewed rather
     * than held forever.
     */
    static final long PARK_TIMEOUT_MS = 30_000;
    /** How soon a partition whose read failed while its leader moves is read again. */
    static final long LEADER_RETRY_MS = 250;

    /** How the loop ends its session when it cannot go on; both are final. */
    interface Ending {
        /** A fatal error: the client is told and the connection closed. */
        void fail(String code, String message);

        /** A client whose socket does not drain: told, closed and dropped at once. */
        void failAndDrop(String code, String message);

        /**
         * The socket failed under a send: the client is gone without a goodbye, as if it had
         * dropped the connection (a group member's partitions wait for its session timeout).
         */
        void lost(String message);
    }

    private static final System.Logger LOG = System.getLogger(ReadLoop.class.getName());

    private final Broker broker;
    private final WebSocketConnection connection;
    private final RecordJsonWriter writer;
    private final SerialExecutor executor;
    private final OutboundWindow window;
    private final long drainTimeoutNanos;
    private final Ending ending;
    private final List<ReadPosition> positions = new ArrayList<>();
    private long credit;
    private boolean reading;
    private boolean waitingForBudget;
    private boolean drainCheckScheduled;
    private boolean stopped;
    private int cursor;
    private final Acknowledgements acknowledgements = new Acknowledgements();

    ReadLoop(Broker broker, WebSocketConnection connection, ConsumeRequest request, SerialExecutor executor,
            ConsumeLimits limits, Ending ending) {
        this.broker = broker;
        this.connection = connection;
        this.writer = request.writer();
        this.credit = request.credits();
        this.executor = executor;
        this.window = new OutboundWindow(limits.outbound(), limits.connectionBytes());
        this.drainTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.drainTimeoutMs());
        this.ending = ending;
        request.starts().forEach(s -> positions.add(new ReadPosition(s)));
    }

    /** Each partition read and the next offset to send from it, for the client's "assigned" frame. */
    List<ConsumeRequest.Start> assignment() {
        return positions.stream().map(p -> new ConsumeRequest.Start(p.topic, p.topicId, p.partition, p.next))
                .toList();
    }

    /** The partitions read now. */
    Set<TopicPartition> partitions() {
        Set<TopicPartition> all = new HashSet<>();
        positions.forEach(p -> all.add(p.topicPartition()));
        return all;
    }

    /** Starts reading a partition (a group handed it to this reader); a partition read already is left as it is. */
    void add(ConsumeRequest.Start start) {
        if (stopped || find(start.topic(), start.partition()) != null) {
            return;
        }
        positions.add(new ReadPosition(start));
        pump();
    }

    /**
     * Stops reading a partition at once: a read under way for it is discarded when it completes,
     * its wait given up, and frames of it acknowledged later count for nothing. Returns the offset
     * its client acknowledged (what a group commits for it), or {@link ReadPosition#NONE}; also
     * NONE when it was not read here.
     */
    long remove(TopicPartition partition) {
        ReadPosition p = find(partition.topic(), partition.partition());
        if (p == null) {
            return ReadPosition.NONE;
        }
        int index = positions.indexOf(p);
        positions.remove(index);
        if (index < cursor) {
            cursor--;
        }
        cursor = positions.isEmpty() ? 0 : cursor % positions.size();
        p.removed = true;
        unpark(p);
        return p.acknowledged;
    }

    /** Per partition read, the offset its client acknowledged with credit; partitions with none are left out. */
    Map<TopicPartition, Long> acknowledged() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (ReadPosition p : positions) {
            if (p.acknowledged != ReadPosition.NONE) {
                offsets.put(p.topicPartition(), p.acknowledged);
            }
        }
        return offsets;
    }

    private ReadPosition find(String topic, int partition) {
        for (ReadPosition p : positions) {
            if (p.is(topic, partition)) {
                return p;
            }
        }
        return null;
    }

    /** The client granted {@code records} more: it also acknowledges the frames this credit covers. */
    void grant(long records) {
        credit = Math.min(Long.MAX_VALUE / 2, credit + records);
        acknowledgements.granted(records);
        pump();
    }

    /** Moves a partition's next offset; throws {@link SluiceException} when it is not read here or out of range. */
    void seek(String topic, int partition, long offset) {
        ReadPosition p = find(topic, partition);
        if (p != null) {
            ConsumeRequest.checkInRange(broker.partitionInfo(topic, partition), offset);
            p.next = offset;
            unpark(p);
            pump();
            return;
        }
        throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "this reader is not assigned " + topic + "-"
                + partition);
    }

    /**
     * Reads and sends the next frame if credit allows, the connection's window has room and no read
     * is under way; waits on every partition when all are caught up. The frame's bytes are reserved
     * from the outbound budget before the read; when the budget is full the loop tries again
     * shortly. Reads complete later, on the session's executor.
     */
    void pump() {
        if (stopped || reading || waitingForBudget || credit <= 0 || positions.isEmpty() || !window.hasRoom()) {
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
        if (positions.isEmpty()) {
            window.unreserve(reserved); // every partition was taken away while a read ran
            return;
        }
        if (tried >= positions.size()) {
            window.unreserve(reserved);
            parkAll();
            return;
        }
        ReadPosition p = positions.get((cursor + tried) % positions.size());
        long from = p.next;
        int max = (int) Math.min(credit, MAX_RECORDS_PER_FRAME);
        reading = true;
        int maxBytes = reserved / JSON_EXPANSION;
        // Read in this session's turn on the fetch pool, not behind every other reader's reads.
        broker.fetch(p.topic, p.partition, from, max, maxBytes, 0, executor).whenComplete((read, error) ->
                executor.execute(() -> {
                    reading = false;
                    if (stopped) {
                        return; // stop() returned the reservation with everything else
                    }
                    if (p.removed) {
                        window.unreserve(reserved);
                        pump(); // the partition was taken away while the read ran: its records are not sent
                    } else if (error != null) {
                        window.unreserve(reserved);
                        onReadError(p, from, SluiceException.causeOf(error));
                    } else if (p.next != from) {
                        window.unreserve(reserved);
                        pump(); // a seek moved this partition while the read ran: the result is stale
                    } else if (!sameTopic(p)) {
                        // Deleted, and perhaps created again under its name: these records are not this reader's.
                        window.unreserve(reserved);
                        end(deleted(p));
                    } else if (!read.records().isEmpty()) {
                        cursor = (cursor + tried + 1) % positions.size();
                        send(p, read.records(), reserved);
                    } else if (read.nextOffset() > from) {
                        p.next = read.nextOffset(); // a compacted log's gap: the read moved past it
                        readNext(tried, reserved);
                    } else if (from < read.highWatermark()) {
                        // Below the high watermark there is data: an empty read there is a fault, and
                        // waiting would spin (a wait for data at the offset fires at once).
                        window.unreserve(reserved);
                        ending.fail(ErrorCode.STORAGE_ERROR.name(), "reading " + p.name() + " at offset " + from
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
    private void send(ReadPosition p, List<LogRecord> records, int reserved) {
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
        acknowledgements.sent(p, frame.records(), frame.nextOffset());
        window.sent(frame.bytes(), System.nanoTime());
        scheduleDrainCheck(drainTimeoutNanos);
        connection.sendText(frame.text()).subscribe().with(
                ok -> executor.execute(() -> frameWritten(frame.bytes())),
                e -> executor.execute(() -> ending.lost("send failed: " + e)));
        // The read decoded whole batches; while the window has room, the rest goes out without
        // reading (and decoding) the same batches again. What does not fit now is dropped, not held.
        List<LogRecord> rest = records.subList(frame.records(), records.size());
        if (!rest.isEmpty() && credit > 0 && window.hasRoom() && window.reserve(window.frameBytes())) {
            send(p, rest.subList(0, (int) Math.min(rest.size(), credit)), window.frameBytes());
            return;
        }
        pump();
    }

    private void frameWritten(int bytes) {
        window.written(bytes, System.nanoTime());
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
        if (drainCheckScheduled || stopped) {
            return;
        }
        drainCheckScheduled = true;
        broker.scheduler().schedule(() -> executor.execute(this::checkDrain), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkDrain() {
        drainCheckScheduled = false;
        if (stopped || window.inFlightFrames() == 0) {
            return;
        }
        long now = System.nanoTime();
        if (window.stalled(now, drainTimeoutNanos)) {
            long ms = TimeUnit.NANOSECONDS.toMillis(drainTimeoutNanos);
            LOG.log(System.Logger.Level.INFO, "dropping reader {0}: its socket wrote nothing out for {1} ms,"
                    + " {2} bytes waiting", connection.id(), ms, window.inFlightBytes());
            ending.failAndDrop(ErrorCode.THROTTLED.name(), "this reader read nothing for " + ms + " ms; disconnecting");
        } else {
            scheduleDrainCheck(window.progressNanos() + drainTimeoutNanos - now);
        }
    }

    private void onReadError(ReadPosition p, long from, Throwable error) {
        if (leaderMoving(error) && sameTopic(p)) {
            // The partition's leader died or froze while this read was forwarded to it (the router's
            // own retries ran out on the read's timeout): a reader goes on across a change of leader,
            // so read the other partitions first and this one again shortly.
            LOG.log(System.Logger.Level.DEBUG, "{0}: read at {1} failed while its leader moves ({2}); retrying",
                    p.name(), from, error.getMessage());
            cursor = (positions.indexOf(p) + 1) % positions.size();
            retryAfterLeaderMove();
            return;
        }
        if (error instanceof SluiceException e && e.code() == ErrorCode.OFFSET_OUT_OF_RANGE && sameTopic(p)) {
            long logStart;
            try {
                logStart = broker.partitionInfo(p.topic, p.partition).logStartOffset();
            } catch (SluiceException gone) {
                end(p, gone);
                return;
            }
            if (from < logStart) {
                // Retention deleted what this reader had not read yet: go on from the new log start.
                LOG.log(System.Logger.Level.INFO, "{0}: reader fell below the log start, resetting {1} -> {2}",
                        p.name(), from, logStart);
                p.next = logStart;
                pump();
                return;
            }
        }
        end(p, error);
    }

    /**
     * Waits on every partition not waited on yet. A wait that fails (the partition went offline,
     * its topic was deleted) ends the session: the broker fails it at once rather than letting it
     * fire over and over, which would spin this session on the fetch pool.
     */
    private void parkAll() {
        for (ReadPosition p : positions) {
            if (p.parked == null) {
                CompletableFuture<Void> wait = broker.awaitData(p.topic, p.partition, p.next, PARK_TIMEOUT_MS);
                p.parked = wait;
                wait.whenComplete((v, error) -> executor.execute(() -> woken(p, wait, error)));
            }
        }
    }

    private void woken(ReadPosition p, CompletableFuture<Void> wait, Throwable error) {
        if (p.parked == wait) {
            p.parked = null;
        }
        if (stopped || p.removed || error instanceof CancellationException) {
            return; // a seek, a revocation or the session's end gave this wait up
        }
        if (error != null && leaderMoving(SluiceException.causeOf(error)) && sameTopic(p)) {
            retryAfterLeaderMove(); // parked again at the next caught-up round, at its new leader
        } else if (error != null) {
            end(p, SluiceException.causeOf(error));
        } else {
            pump();
        }
    }

    /** Refusals of a read that mean the partition's leader is moving: another try later may find it. */
    private static boolean leaderMoving(Throwable error) {
        return error instanceof SluiceException e && (e.code() == ErrorCode.LEADER_NOT_AVAILABLE
                || e.code() == ErrorCode.NOT_LEADER_OR_FOLLOWER || e.code() == ErrorCode.FENCED_LEADER_EPOCH);
    }

    private void retryAfterLeaderMove() {
        broker.scheduler().schedule(() -> executor.execute(this::pump), LEADER_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    private void unpark(ReadPosition p) {
        if (p.parked != null) {
            p.parked.cancel(false);
            p.parked = null;
        }
    }

    /** Whether the topic read is still the one this reader opened, not deleted nor replaced by a namesake. */
    private boolean sameTopic(ReadPosition p) {
        try {
            return broker.topic(p.topic).metadata().id().equals(p.topicId);
        } catch (SluiceException deleted) {
            return false;
        }
    }

    private static SluiceException deleted(ReadPosition p) {
        return new SluiceException(ErrorCode.TOPIC_NOT_FOUND, "topic '" + p.topic + "' was deleted");
    }

    /** Ends the session for a failure on {@code p}: told as its topic's deletion when that is what happened. */
    private void end(ReadPosition p, Throwable error) {
        end(!sameTopic(p) ? deleted(p) : error instanceof SluiceException e ? e
                : new SluiceException(ErrorCode.STORAGE_ERROR, "reading " + p.name() + " failed: " + error, error));
    }

    private void end(SluiceException reason) {
        ending.fail(reason.code().name(), reason.getMessage());
    }

    /** Gives up every wait and the connection's share of the outbound budget. Idempotent. */
    void stop() {
        stopped = true;
        positions.forEach(this::unpark);
        window.releaseAll();
    }
}
