package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Map;

/**
 * Offsets a member commits. Refused unless {@code memberId} is a member at {@code memberEpoch} and
 * owns every partition committed: a member of a stale generation never moves its group's position.
 */
public record OffsetCommit(String groupId, String memberId, int memberEpoch, Map<TopicPartition, Long> offsets,
        String metadata) {
    public OffsetCommit {
        offsets = Map.copyOf(offsets);
        metadata = metadata == null ? "" : metadata;
    }
}
