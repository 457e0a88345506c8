package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects the latest committed offset per key while a partition of {@code __consumer_offsets}
 * replays: a tombstone removes the key, a record of a key version we do not know is skipped (a newer
 * broker's record type), and the first record that does not decode fails the load.
 */
final class OffsetsLoader {
    private static final System.Logger LOG = System.getLogger(OffsetsLoader.class.getName());

    private final int partition;
    private final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();
    private RuntimeException failure;

    OffsetsLoader(int partition) {
        this.partition = partition;
    }

    synchronized void accept(OffsetsTopic.Entry entry) {
        if (failure != null) {
            return;
        }
        if (!GroupRecords.isOffsetCommitKey(entry.key())) {
            return; // a record type of a newer version: not ours to read
        }
        try {
            GroupRecords.OffsetKey key = GroupRecords.decodeKey(entry.key());
            if (GroupCoordinator.partitionFor(key.groupId()) != partition) {
                LOG.log(System.Logger.Level.WARNING, "{0}-{1} holds an offset of group {2}, which belongs to "
                        + "partition {3}; skipped", OffsetsTopic.NAME, partition, key.groupId(),
                        GroupCoordinator.partitionFor(key.groupId()));
                return;
            }
            Map<TopicPartition, CommittedOffset> group = offsets.computeIfAbsent(key.groupId(), g -> new HashMap<>());
            if (entry.value() == null) {
                group.remove(key.partition());
            } else {
                group.put(key.partition(), GroupRecords.decodeValue(entry.value()));
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    synchronized void checkClean() {
        if (failure != null) {
            throw new SluiceException(ErrorCode.CORRUPT_RECORD, OffsetsTopic.NAME + "-" + partition
                    + " has a record that does not decode: " + failure.getMessage(), failure);
        }
    }

    synchronized Map<String, Map<TopicPartition, CommittedOffset>> offsets() {
        return offsets;
    }
}
