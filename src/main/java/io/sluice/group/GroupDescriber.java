package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a group's description in two steps: a copy of its state taken under its monitor, then the
 * lag of each partition against the end offsets, looked up with no lock held.
 */
final class GroupDescriber {
    /** What describe shows of a group, copied under its monitor. */
    record Snapshot(String groupId, GroupState state, RebalanceProtocol protocol, AssignmentStrategy strategy,
            int groupEpoch, List<MemberDescription> members, Map<TopicPartition, CommittedOffset> offsets,
            Set<TopicPartition> partitions, long rebalances) {
    }

    private GroupDescriber() {
    }

    /** The caller holds the group's monitor. */
    static Snapshot snapshot(Group g) {
        if (g.members.isEmpty() && g.offsets.isEmpty()) {
            throw new SluiceException(ErrorCode.GROUP_NOT_FOUND, "no group '" + g.id + "' (no members, no offsets)");
        }
        List<MemberDescription> members = new ArrayList<>();
        for (GroupMember m : g.members.values()) {
            members.add(new MemberDescription(m.id, m.clientHost, m.epoch, m.owned, g.targetOf(m.id)));
        }
        return new Snapshot(g.id, g.state(), g.protocol, g.strategy, g.groupEpoch, members, Map.copyOf(g.offsets),
                g.describedPartitions(), g.rebalances);
    }

    static GroupDescription describe(int coordinator, TopicCatalog catalog, Snapshot s) {
        List<PartitionLag> lags = new ArrayList<>();
        s.partitions().stream().sorted(Assignor::compare).forEach(tp -> {
            CommittedOffset c = s.offsets().get(tp);
            long committed = c == null ? -1 : c.offset();
            long end = catalog.endOffset(tp);
            long lag = committed < 0 || end < 0 ? -1 : Math.max(0, end - committed);
            lags.add(new PartitionLag(tp.topic(), tp.partition(), committed, end, lag));
        });
        return new GroupDescription(s.groupId(), s.state(), s.protocol(), s.strategy(), s.groupEpoch(), coordinator,
                s.members(), lags, s.rebalances());
    }
}
