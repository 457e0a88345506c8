package io.sluice.cluster;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Offers this broker's snapshot to the cluster after it joined, so that after a whole-cluster restart
 * the newest metadata wins whichever broker started first. Every step is a conditional write that can
 * only move the cluster forward:
 * <ul>
 * <li>topic tombstones are added, and topics and partition states of a tombstoned topic id removed, so a
 *     broker that was away when a topic was deleted never brings it back, and a stale first broker's
 *     copy of it is taken out when a broker that saw the delete joins;</li>
 * <li>brokers and topics are added when absent (and not tombstoned);</li>
 * <li>a partition state is added when absent (while its topic exists), or replaces the stored one of
 *     the same topic id when its partition epoch is higher.</li>
 * </ul>
 * Drain marks are not offered: a drain lasts while the cluster runs, and a broker that restarts
 * starts undrained, so an old mark must not come back with a snapshot.
 */
final class RestartReconciler {
    private final MetadataCaches caches;

    RestartReconciler(MetadataCaches caches) {
        this.caches = caches;
    }

    void offer(Map<MetadataSection, Map<String, String>> snapshot) {
        snapshot.get(MetadataSection.TOMBSTONES).forEach((k, v) -> caches.putIfAbsent(MetadataSection.TOMBSTONES, k, v));
        Set<String> deletedIds = new HashSet<>(caches.all(MetadataSection.TOMBSTONES).keySet());
        removeDeleted(deletedIds);
        snapshot.get(MetadataSection.BROKERS).forEach((k, v) -> caches.putIfAbsent(MetadataSection.BROKERS, k, v));
        snapshot.get(MetadataSection.TOPICS).forEach((name, value) -> {
            if (!deletedIds.contains(MetadataCodec.decodeTopic(value).id())) {
                caches.putIfAbsent(MetadataSection.TOPICS, name, value);
            }
        });
        Set<String> liveIds = new HashSet<>();
        caches.all(MetadataSection.TOPICS).values().forEach(v -> liveIds.add(MetadataCodec.decodeTopic(v).id()));
        snapshot.get(MetadataSection.PARTITIONS).forEach((key, value) -> offerPartition(key, value, liveIds));
    }

    private void removeDeleted(Set<String> deletedIds) {
        caches.all(MetadataSection.TOPICS).forEach((name, value) -> {
            if (deletedIds.contains(MetadataCodec.decodeTopic(value).id())) {
                caches.remove(MetadataSection.TOPICS, name, value);
            }
        });
        caches.all(MetadataSection.PARTITIONS).forEach((key, value) -> {
            if (deletedIds.contains(MetadataCodec.decodePartition(value).topicId())) {
                caches.remove(MetadataSection.PARTITIONS, key, value);
            }
        });
    }

    private void offerPartition(String key, String value, Set<String> liveIds) {
        PartitionState mine = MetadataCodec.decodePartition(value);
        if (!liveIds.contains(mine.topicId())) {
            return;
        }
        // a concurrent writer may move the stored state on between the read and the replace: read again
        for (int attempt = 0; attempt < 3; attempt++) {
            String stored = caches.get(MetadataSection.PARTITIONS, key);
            if (stored == null) {
                if (caches.putIfAbsent(MetadataSection.PARTITIONS, key, value)) {
                    return;
                }
                continue;
            }
            PartitionState theirs = MetadataCodec.decodePartition(stored);
            if (!theirs.topicId().equals(mine.topicId()) || theirs.partitionEpoch() >= mine.partitionEpoch()) {
                return;
            }
            if (caches.replace(MetadataSection.PARTITIONS, key, stored, value)) {
                return;
            }
        }
    }
}
