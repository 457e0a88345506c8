package io.sluice.broker;

import io.sluice.log.Header;
import java.util.List;

/**
 * A record as a producer sends it: an explicit partition or null, key and value bytes (null
 * allowed), a create timestamp or null for "now", and headers.
 */
public record ProduceRecord(Integer partition, byte[] key, byte[] value, Long timestamp, List<Header> headers) {
}
