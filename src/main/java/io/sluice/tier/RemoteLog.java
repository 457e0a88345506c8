package io.sluice.tier;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the object store holds of one partition: its committed remote segments by base offset.
 * Rebuilt from the bucket at start; changed only after the store confirmed an upload or a delete.
 */
public final class RemoteLog {
    private final String topic;
    private final int partition;
    private final ConcurrentSkipListMap<Long, RemoteSegment> segments = new ConcurrentSkipListMap<>();
    /** Offsets below this were uploaded once and deleted by retention since. */
    private volatile long deletedBelow;

    public RemoteLog(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
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
