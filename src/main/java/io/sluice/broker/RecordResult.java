package io.sluice.broker;

import io.sluice.error.ErrorCode;

/**
 * The outcome for one produced record: where it went, or why its partition could not take it.
 * With acks=0 the offset is -1: the reply is sent before the append.
 */
public record RecordResult(int partition, long offset, long timestamp, ErrorCode error, String message) {
    public static RecordResult ok(int partition, long offset, long timestamp) {
        return new RecordResult(partition, offset, timestamp, null, null);
    }

    public static RecordResult failed(int partition, ErrorCode error, String message) {
        return new RecordResult(partition, -1, -1, error, message);
    }

    public boolean isError() {
        return error != null;
    }
}
