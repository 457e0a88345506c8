package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Set;

/** A member as describe shows it: the partitions it owns now and those it is to own once the rebalance ends. */
public record MemberDescription(String memberId, String clientHost, int memberEpoch, Set<TopicPartition> owned,
        Set<TopicPartition> target) {
    public MemberDescription {
        owned = Set.copyOf(owned);
        target = Set.copyOf(target);
    }
}
