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
    UNAUTHORIZED
}
