package io.sluice.tier;

import java.util.Collection;
import java.util.Map;
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
 */
public final class RemoteLog {
    private final String topicId;
    private final String topic;
    private final int partition;
    private final ConcurrentSkipListMap<Long, RemoteSegment> segments = new ConcurrentSkipListMap<>();
    /** Offsets below this were uploaded once and deleted by retention since. */
    private volatile long deletedBelow;
    private volatile boolean loaded;
    private volatile boolean deleted;

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
        listed.forEach(s -> segments.put(s.baseOffset(), s));
        loaded = true;
    }

    /** Whether the partition's topic was deleted: nothing more is uploaded for it. */
    public boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    void add(RemoteSegment segment) {
        segments.put(segment.baseOffset(), segment);
    }

    void removeByRetention(RemoteSegment segment) {
        segments.remove(segment.baseOffset());
        deletedBelow = Math.max(deletedBelow, segment.nextOffset());
    }

    public long deletedBelow() {
        return deletedBelow;
    }

    public boolean isUploaded(long baseOffset) {
        return segments.containsKey(baseOffset);
    }

    /** The remote segment holding {@code offset}, or null. */
    public RemoteSegment segmentFor(long offset) {
        Map.Entry<Long, RemoteSegment> e = segments.floorEntry(offset);
        return e != null && offset < e.getValue().nextOffset() ? e.getValue() : null;
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
        Map.Entry<Long, RemoteSegment> last = segments.lastEntry();
        return last == null ? -1 : last.getValue().nextOffset();
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
