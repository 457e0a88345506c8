package io.sluice.error;

/**
 * The stable error codes of the public API. The code travels in every problem+json reply and
 * never changes meaning; the HTTP status belongs to the api layer's mapping, not to this enum.
 */
public enum ErrorCode {
    INVALID_REQUEST,
    INVALID_TOPIC,
    INVALID_CONFIG,
    INVALID_PARTITIONS,
    INVALID_OFFSET,
    TOPIC_NOT_FOUND,
    TOPIC_ALREADY_EXISTS,
    PARTITION_NOT_FOUND,
    /** No broker of that id has ever registered in the cluster. */
    BROKER_NOT_FOUND,
    /** No such route: the path names no resource of the API (a topic or partition that is missing has its own code). */
    NOT_FOUND,
    OFFSET_OUT_OF_RANGE,
    RECORD_TOO_LARGE,
    /** The request as a whole (its body, or what it declares) is larger than the broker takes. */
    REQUEST_TOO_LARGE,
    /** This client sends faster than the broker lets one client go: retry after the reply's Retry-After. */
    THROTTLED,
    /** The broker is at a budget (memory, connections, descriptors) shared by all clients: retry later. */
    BROKER_BUSY,
    UNKNOWN_PARTITIONER,
    UNSUPPORTED,
    UNSUPPORTED_MEDIA_TYPE,
    NOT_ENOUGH_REPLICAS,
    /** The records were written by the leader but the in-sync replicas did not all confirm them in time: their fate is unknown. */
    NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    LEADER_NOT_AVAILABLE,
    /** Between brokers: this broker does not lead (or follow) the partition at the epoch asked for. */
    NOT_LEADER_OR_FOLLOWER,
    /** Between brokers: the request carries an older leader epoch than this broker knows; refresh and retry. */
    FENCED_LEADER_EPOCH,
    STORAGE_ERROR,
    TIER_UNAVAILABLE,
    CORRUPT_RECORD,
    UNAUTHORIZED,
    /** A group id that is empty, too long or not printable. */
    INVALID_GROUP_ID,
    /** No group of that id has members or committed offsets. */
    GROUP_NOT_FOUND,
    /** The operation needs a group with no live members (reset, delete). */
    GROUP_NOT_EMPTY,
    /** The group is full: it has the most members a group takes. */
    GROUP_MAX_SIZE_REACHED,
    /** A member asked for another assignor or rebalance protocol than its group uses. */
    INCONSISTENT_GROUP_PROTOCOL,
    /** The coordinator does not know this member (its session expired, or the coordinator moved): it joins again. */
    UNKNOWN_MEMBER_ID,
    /** The member's epoch (generation) is not its current one: a commit from a stale generation. */
    STALE_MEMBER_EPOCH,
    /** Between brokers: this broker does not coordinate the group (any more); find the coordinator again. */
    NOT_COORDINATOR,
    /** The group's coordinator is not available yet (no leader for its offsets partition, or loading it). */
    COORDINATOR_NOT_AVAILABLE;

    /**
     * The code another broker sent by name; one this broker does not know (a newer peer's) reads as
     * STORAGE_ERROR, a failure on the peer with nothing more to go on.
     */
    public static ErrorCode fromPeer(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException unknown) {
            return STORAGE_ERROR;
        }
    }
}
