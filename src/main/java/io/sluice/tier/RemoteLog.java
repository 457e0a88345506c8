package io.sluice.tier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the object store holds of one partition: its committed remote segments by base offset.
 * Keyed in the bucket by the topic's id; the name is kept for messages only.
 *
 * <p>A view starts either <em>loaded</em> (a new topic: the bucket has nothing of its fresh id) or
 * <em>unloaded</em> (a topic found at start: what the bucket holds is known only once it has been
 * listed). While unloaded the tiered range is unavailable, not empty: nothing is uploaded, no
 * local segment counts as uploaded, and readers below the local log start are told to retry.
 * Changed only after the store confirmed an upload or a delete.
 *
 * <p>In a cluster only the partition's leader uploads, at its leader epoch ({@link #uploadEpoch()}),
 * and only after it listed the bucket again for that epoch: another broker may have uploaded since
 * this view was loaded. Replicas roll at different offsets, so segments uploaded by successive
 * leaders may overlap; every question is asked about offset ranges, never base offsets. When two
 * uploads of overlapping ranges were both committed (a deposed leader's commit that landed after
 * the new leader listed), the higher leader epoch wins, then the earlier upload: a segment whose
 * every offset the winners hold is <em>shadowed</em>, left out of the view and deleted by the
 * leader's retention pass. Uploaded segments lie below the high watermark, so overlapping ones hold
 * the same batches.
 */
public final class RemoteLog {
    /** Which of two committed segments wins where they overlap: the higher epoch, then the earlier upload. */
    private static final Comparator<RemoteSegment> PRECEDENCE = Comparator
            .comparingInt(RemoteSegment::leaderEpoch).reversed()
            .thenComparingLong(RemoteSegment::uploadedAtMs)
            .thenComparing(RemoteSegment::uploadId);

    private final String topicId;
    private final String topic;
    private final int partition;
    private final ConcurrentSkipListMap<Long, RemoteSegment> segments = new ConcurrentSkipListMap<>();
    /** The offset ranges the segments cover, merged: start -> end (exclusive). Replaced whole on every change. */
    private volatile NavigableMap<Long, Long> covered = new TreeMap<>();
    /** Committed segments every offset of which a winning segment holds: deleted by the leader. */
    private final List<RemoteSegment> shadowed = new ArrayList<>();
    /** Offsets below this were uploaded once and deleted by retention since. */
    private volatile long deletedBelow;
    private volatile boolean loaded;
    private volatile boolean deleted;
    /** The leader epoch this broker uploads at, its view listed for it; -1 while it does not lead. */
    private volatile int uploadEpoch = -1;
    /** What the partition's leader last said the bucket holds below (a follower's retention), or -1. */
    private volatile long leaderTieredEnd = -1;

    private RemoteLog(String topicId, String topic, int partition, boolean loaded) {
        if (!TierLayout.isTopicId(topicId)) {
            throw new IllegalArgumentException("not a topic id: '" + topicId + "'");
        }
        this.topicId = topicId;
        this.topic = topic;
        this.partition = partition;
        this.loaded = loaded;
    }

    /** The view of a partition of a topic created just now: its id is new, so the bucket has nothing. */
    public static RemoteLog empty(String topicId, String topic, int partition) {
        return new RemoteLog(topicId, topic, partition, true);
    }

    /** The view of a partition found at start, unknown until {@link Tier#loadRemoteLog} lists it. */
    public static RemoteLog unloaded(String topicId, String topic, int partition) {
        return new RemoteLog(topicId, topic, partition, false);
    }

    public String topicId() {
        return topicId;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** "topic-partition", for messages. */
    public String name() {
        return topic + "-" + partition;
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Replaces the view by what the bucket listed; from now on it is known. */
    synchronized void load(Collection<RemoteSegment> listed) {
        if (loaded) {
            return; // an upload may have added to it since: the first complete listing is the one
        }
        replace(listed);
        loaded = true;
    }

    /**
     * Replaces the view by a new listing and starts uploading at {@code epoch}: this broker leads
     * now, and what earlier leaders uploaded is known. The caller made sure no upload of this
     * broker is in flight, so none can commit unseen between the listing and this.
     */
    synchronized void takeOver(Collection<RemoteSegment> listed, int epoch) {
        replace(listed);
        loaded = true;
        uploadEpoch = epoch;
    }

    private void replace(Collection<RemoteSegment> listed) {
        List<RemoteSegment> byPrecedence = new ArrayList<>(listed);
        byPrecedence.sort(PRECEDENCE);
        segments.clear();
        shadowed.clear();
        for (RemoteSegment s : byPrecedence) {
            if (covers(merge(segments.values()), s.baseOffset(), s.nextOffset())) {
                shadowed.add(s);
                continue;
            }
            RemoteSegment sameBase = segments.put(s.baseOffset(), s);
            if (sameBase != null) {
                shadowed.add(sameBase); // s holds all of it and more (else s would be covered)
            }
        }
        covered = merge(segments.values());
    }

    /** The leader epoch this broker uploads the partition at, or -1 when it does not (a follower). */
    public int uploadEpoch() {
        return uploadEpoch;
    }

    /** This broker no longer leads the partition: it uploads nothing more of it. */
    void stopUploading() {
        uploadEpoch = -1;
    }

    /** Whether the partition's topic was deleted: nothing more is uploaded for it. */
    public boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    synchronized void add(RemoteSegment segment) {
        segments.put(segment.baseOffset(), segment);
        covered = merge(segments.values());
    }

    synchronized void removeByRetention(RemoteSegment segment) {
        if (!shadowed.remove(segment)) {
            segments.remove(segment.baseOffset(), segment);
            deletedBelow = Math.max(deletedBelow, segment.nextOffset());
            covered = merge(segments.values());
        }
    }

    /** Committed segments left out of the view because winners hold all of their offsets. */
    synchronized List<RemoteSegment> shadowed() {
        return List.copyOf(shadowed);
    }

    public long deletedBelow() {
        return deletedBelow;
    }

    /** A follower heard from its leader that every offset below {@code offset} is in the bucket. */
    public void leaderTieredEnd(long offset) {
        if (offset > leaderTieredEnd) {
            leaderTieredEnd = offset;
        }
    }

    public long leaderTieredEnd() {
        return leaderTieredEnd;
    }

    /** Whether every offset of {@code [baseOffset, nextOffset)} is in a segment of this view. */
    public boolean covers(long baseOffset, long nextOffset) {
        return covers(covered, baseOffset, nextOffset);
    }

    private static boolean covers(NavigableMap<Long, Long> ranges, long baseOffset, long nextOffset) {
        Map.Entry<Long, Long> e = ranges.floorEntry(baseOffset);
        return e != null && e.getValue() >= nextOffset;
    }

    private static NavigableMap<Long, Long> merge(Collection<RemoteSegment> all) {
        TreeMap<Long, Long> ranges = new TreeMap<>();
        List<RemoteSegment> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(RemoteSegment::baseOffset));
        long start = -1;
        long end = -1;
        for (RemoteSegment s : sorted) {
            if (start >= 0 && s.baseOffset() <= end) {
                end = Math.max(end, s.nextOffset());
                continue;
            }
            if (start >= 0) {
                ranges.put(start, end);
            }
            start = s.baseOffset();
            end = s.nextOffset();
        }
        if (start >= 0) {
            ranges.put(start, end);
        }
        return ranges;
    }

    /** The remote segment holding {@code offset}, or null. */
    public RemoteSegment segmentFor(long offset) {
        // Overlapping segments (successive leaders rolled at different offsets): the nearest start
        // below may end before the offset while an earlier, longer one holds it.
        for (RemoteSegment s : segments.headMap(offset, true).descendingMap().values()) {
            if (offset < s.nextOffset()) {
                return s;
            }
            if (!covers(s.baseOffset(), offset + 1)) {
                return null;
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** First remote offset, or -1 when nothing is remote. */
    public long startOffset() {
        Map.Entry<Long, RemoteSegment> first = segments.firstEntry();
        return first == null ? -1 : first.getKey();
    }

    /** One past the last remote offset, or -1 when nothing is remote. */
    public long endOffset() {
        Map.Entry<Long, Long> last = covered.lastEntry();
        return last == null ? -1 : last.getValue();
    }

    /** One past the last offset of the remote range that runs on without a hole from {@link #startOffset()}, or -1. */
    public long contiguousEndOffset() {
        Map.Entry<Long, Long> first = covered.firstEntry();
        return first == null ? -1 : first.getValue();
    }

    public long sizeBytes() {
        long total = 0;
        for (RemoteSegment s : segments.values()) {
            total += s.sizeBytes();
        }
        return total;
    }

    public Collection<RemoteSegment> segments() {
        return segments.values();
    }
}
