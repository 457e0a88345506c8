package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogRecord;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.ReadResult;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.RemoteReader;
import io.sluice.tier.RemoteSegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One partition as readers see it: the local log and, below its start, the remote segments of
 * the tier. Offsets run on from remote to local without a gap or an overlap, so a reader from
 * offset 0 crosses the boundary unaware of it.
 *
 * <p>While the remote view is not loaded (the store was unreachable at start) the tiered range is
 * unavailable, not gone: reads below the local log start fail with TIER_UNAVAILABLE. A partition
 * whose disk was empty then also refuses appends: it does not know yet where the bucket's log
 * ends, and starting at offset 0 would hand out offsets the bucket already holds. Once the view
 * loads, its log is reopened at the bucket's end and takes appends.
 */
public final class Partition {
    private final String topic;
    private final int id;
    private volatile PartitionLog log;
    private final RemoteLog remote;
    private final RemoteReader remoteReader;
    /** The disk was empty and the remote view unknown: appends wait until the bucket's end is known. */
    private volatile boolean awaitingRemoteEnd;
    /** The epoch this broker leads the partition at, stamped into every batch it appends. */

    Partition(String topic, int id, PartitionLog log, RemoteLog remote, RemoteReader remoteReader,
            boolean awaitingRemoteEnd) {
        this.topic = topic;
        this.id = id;
        this.log = log;
        this.remote = remote;
        this.remoteReader = remoteReader;
        this.awaitingRemoteEnd = awaitingRemoteEnd;
    }

    /** Whether this partition waits for its remote view before it takes appends (its disk was empty). */
    boolean awaitingRemoteEnd() {
        return awaitingRemoteEnd;
    }

    /** The remote view is loaded: from now on appends go to {@code resumed} (the log reopened where the bucket ends). */
    void resume(PartitionLog resumed) {
        this.log = resumed;
        this.awaitingRemoteEnd = false;
    }

    /** Whether the tiered range can be read: no tier, or a remote view loaded from the bucket. */
    public boolean tierAvailable() {
        return remote == null || remote.isLoaded();
    }

    /** Throws TIER_UNAVAILABLE when this partition cannot take appends yet (see the class comment). */
    public void checkWritable() {
        if (awaitingRemoteEnd) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, topic + "-" + id + " does not take records until "
                    + "the object store answers: its local log is empty and where its tiered log ends is not known yet");
        }
    }

    public String topic() {
        return topic;
    }

    public int id() {
        return id;
    }

    public PartitionLog log() {
        return log;
    }

    /** The remote view, or null when the broker runs without a tier. */
    public RemoteLog remote() {
        return remote;
    }

    /** The first offset a reader can get, remote or local. */
    public long logStartOffset() {
        long local = log.logStartOffset();
        if (remote == null || remote.isEmpty()) {
            return local;
        }
        return Math.min(local, remote.startOffset());
    }

    public long localLogStartOffset() {
        return log.logStartOffset();
    }

    public long tieredBytes() {
        return remote == null ? 0 : remote.sizeBytes();
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    public long logEndOffset() {
        return log.logEndOffset();
    }

    /**
     * Reads from {@code offset}: from the local log when it still has the offset, else from the
     * remote segment that holds it. Local reads complete before this returns; remote reads when
     * their ranged GETs do.
     */
    public CompletableFuture<ReadResult> read(long offset, int maxBytes, int maxRecords) {
        PartitionLog log = this.log;
        try {
            if (remote != null && !remote.isLoaded() && (offset < log.logStartOffset() || awaitingRemoteEnd)) {
                throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, topic + "-" + id + ": offset " + offset
                        + " is in the tiered range, which is unavailable until the object store answers");
            }
            if (offset < log.logStartOffset() && remote != null) {
                RemoteSegment segment = remote.segmentFor(offset);
                if (segment != null) {
                    long hw = log.highWatermark();
                    return remoteReader.read(remote, segment, offset, maxBytes, maxRecords)
                            .thenApply(records -> new ReadResult(records, next(records, offset), hw, logStartOffset()))
                            .exceptionallyCompose(e -> CompletableFuture.failedFuture(tierFailure(offset, e)));
                }
                throw SluiceException.offsetOutOfRange(topic + "-" + id, offset, logStartOffset(), log.logEndOffset());
            }
            return CompletableFuture.completedFuture(log.read(offset, maxBytes, maxRecords));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A corrupt remote batch stays CORRUPT_RECORD; an offset that retention removed meanwhile is out
     * of range; anything else means the store could not serve the read.
     */
    private Throwable tierFailure(long offset, Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        if (cause instanceof SluiceException) {
            return cause;
        }
        if (offset < logStartOffset()) {
            // Retention deleted the segment while it was being read: the offset is simply gone now.
            return SluiceException.offsetOutOfRange(topic + "-" + id, offset, logStartOffset(), log.logEndOffset());
        }
        return new SluiceException(ErrorCode.TIER_UNAVAILABLE, "reading " + topic + "-" + id + " at offset " + offset
                + " from the object store failed: " + cause.getMessage(), cause);
    }

    /**
     * After the last record read. None read means compaction left none at or after {@code offset} in
     * the batch that spans it (the read starts at that batch): the reader moves past the offset.
     */
    private static long next(List<LogRecord> records, long offset) {
        return records.isEmpty() ? offset + 1 : records.get(records.size() - 1).offset() + 1;
    }
}
