package io.sluice.group;

/** One group in a list of groups. */
public record GroupListing(String groupId, GroupState state, int members) {
}
