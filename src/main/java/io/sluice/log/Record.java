package io.sluice.log;

import java.util.Arrays;
import java.util.List;

/**
 * A record to append: key and value (either may be null), create timestamp in epoch
 * milliseconds, and ordered headers. Its offset is given by the log when it is appended.
 */
public record Record(byte[] key, byte[] value, long timestamp, List<Header> headers) {
    public Record {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && timestamp == r.timestamp && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + Arrays.hashCode(value) + Long.hashCode(timestamp);
    }
}
