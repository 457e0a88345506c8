package io.sluice.log;

import java.util.List;

/** A record read back from the log, at its offset. */
public record LogRecord(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
    public int sizeInBytes() {
        int size = 16 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }
}
