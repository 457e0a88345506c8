package io.sluice.group;

import java.util.List;

/**
 * One group, as its coordinator knows it.
 *
 * @param protocol   null for a group with no members
 * @param strategy   null for a group with no members
 * @param groupEpoch bumped at every change of membership or subscription
 * @param offsets    per partition with a committed offset or read by a member: committed, end, lag
 */
public record GroupDescription(String groupId, GroupState state, RebalanceProtocol protocol,
        AssignmentStrategy strategy, int groupEpoch, int coordinator, List<MemberDescription> members,
        List<PartitionLag> offsets, long rebalances) {
    public GroupDescription {
        members = List.copyOf(members);
        offsets = List.copyOf(offsets);
    }
}
