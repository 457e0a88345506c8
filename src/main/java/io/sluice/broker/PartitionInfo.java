package io.sluice.broker;

import java.util.List;

/**
 * One partition as the api may see it, read at one moment: who leads it at which epoch, where its
 * replicas are, its offsets and what it stores. A value with no way back to a log, so that what
 * the api builds on it (topic descriptions, metrics, where a reader starts) is the same whether
 * this broker leads the partition or another one does.
 *
 * @param leader              broker id of the leader
 * @param leaderEpoch         the epoch the leader stamps into every batch it writes
 * @param replicas            the assigned replicas, preferred leader first
 * @param isr                 the replicas in sync with the leader
 * @param logStartOffset      the first offset a reader can get, remote or local
 * @param localLogStartOffset the first offset stored on this broker's disk
 * @param highWatermark       readers see offsets below it
 * @param logEndOffset        the offset the next append gets
 * @param segments            local segment files
 * @param sizeBytes           bytes of the local segments
 * @param tieredBytes         bytes uploaded to the object store
 * @param tierAvailable       false while the tier's list of the partition's segments is not loaded: reads
 *                            below {@code localLogStartOffset} then fail with TIER_UNAVAILABLE
 * @param waitingReaders      fetches and WebSocket readers waiting for the partition's next records
 * @param maxFollowerLag      offsets the furthest follower trails the leader by, when this broker leads; else 0
 */
public record PartitionInfo(String topic, int partition, int leader, int leaderEpoch, List<Integer> replicas,
        List<Integer> isr, long logStartOffset, long localLogStartOffset, long highWatermark, long logEndOffset,
        int segments, long sizeBytes, long tieredBytes, boolean tierAvailable, int waitingReaders,
        long maxFollowerLag) {
    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
