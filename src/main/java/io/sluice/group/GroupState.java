package io.sluice.group;

/** A group's state, as describe and list show it. */
public enum GroupState {
    /** No members; committed offsets may remain. */
    EMPTY,
    /** Members whose partitions are moving: some member does not own its whole target yet. */
    RECONCILING,
    /** Every member owns exactly its target. */
    STABLE,
    /** Removed (deleted, or its offsets expired); it has nothing left. */
    DEAD
}
