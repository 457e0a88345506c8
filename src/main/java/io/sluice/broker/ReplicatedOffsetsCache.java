package io.sluice.broker;

import io.sluice.cluster.MetadataUnavailableException;
import io.sluice.cluster.ReplicatedMap;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.OffsetsCache;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The committed offsets every broker reads ({@link io.sluice.broker.Broker#committedOffsets}), in
 * the cluster's replicated {@code sluice-group-offsets} cache (a local one for a broker alone): one
 * entry per group, its value every committed offset of the group as a Base64 string in the style of
 * the metadata values (a kind byte, then the {@link GroupPayloads} encoding of the offsets, which
 * starts with its version). Only a group's coordinator writes its entry; writes are conditional
 * replaces, so a coordinator that is being replaced and the new one cannot lose each other's
 * partitions. It is a view: the coordinator rebuilds it from {@code __consumer_offsets}.
 */
final class ReplicatedOffsetsCache implements OffsetsCache {
    /** The kind byte of a group's offsets value. */
    static final byte KIND_GROUP_OFFSETS = 5;
    private static final int MAX_ATTEMPTS = 16;

    private final ReplicatedMap map;

    ReplicatedOffsetsCache(ReplicatedMap map) {
        this.map = map;
    }

    @Override
    public void put(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        update(groupId, current -> current.putAll(offsets));
    }

    @Override
    public void remove(String groupId, Iterable<TopicPartition> partitions) {
        update(groupId, current -> partitions.forEach(current::remove));
    }

    @Override
    public Map<TopicPartition, CommittedOffset> get(String groupId) {
        String value = map.get(groupId);
        return value == null ? Map.of() : decode(value);
    }

    @Override
    public Iterable<String> groups() {
        return map.keys();
    }

    private interface Change {
        void apply(Map<TopicPartition, CommittedOffset> offsets);
    }

    private void update(String groupId, Change change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            String stored = map.get(groupId);
            Map<TopicPartition, CommittedOffset> next = stored == null ? new HashMap<>() : new HashMap<>(decode(stored));
            change.apply(next);
            boolean written;
            if (next.isEmpty()) {
                written = stored == null || map.remove(groupId, stored);
            } else if (stored == null) {
                written = map.putIfAbsent(groupId, encode(next));
            } else {
                written = map.replace(groupId, stored, encode(next));
            }
            if (written) {
                return;
            }
        }
        throw new MetadataUnavailableException("the cached offsets of group " + groupId + " keep changing under "
                + "this coordinator's writes", null);
    }

    static String encode(Map<TopicPartition, CommittedOffset> offsets) {
        ByteBuffer payload = GroupPayloads.committed(offsets);
        byte[] bytes = new byte[1 + payload.remaining()];
        bytes[0] = KIND_GROUP_OFFSETS;
        payload.get(bytes, 1, payload.remaining());
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Map<TopicPartition, CommittedOffset> decode(String value) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw damaged("is not Base64");
        }
        if (bytes.length == 0 || bytes[0] != KIND_GROUP_OFFSETS) {
            throw damaged("has kind " + (bytes.length == 0 ? "none" : bytes[0]) + ", expected " + KIND_GROUP_OFFSETS);
        }
        try {
            return GroupPayloads.read(ByteBuffer.wrap(bytes, 1, bytes.length - 1), GroupPayloadReader::committedMap);
        } catch (SluiceException e) {
            throw damaged(e.getMessage());
        }
    }

    private static SluiceException damaged(String problem) {
        return new SluiceException(ErrorCode.STORAGE_ERROR, "a cached group offsets value " + problem);
    }
}
