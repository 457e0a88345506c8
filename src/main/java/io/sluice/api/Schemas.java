package io.sluice.api;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON shapes of requests and replies that the resources read and write by hand (streaming,
 * and refusing unknown fields), described here for the OpenAPI document so that a generated client
 * gets real types. {@code OpenApiDocumentTest} holds the document to the replies.
 */
final class Schemas {
    private Schemas() {
    }

    @Schema(name = "CreateTopic", description = "A topic to create; unknown fields are refused",
            additionalProperties = Schema.False.class)
    record CreateTopic(
            @Schema(required = true, description = "1 to 249 of [a-zA-Z0-9._-], not '.' or '..'; may not collide"
                    + " with an existing name when '.' and '_' are taken as equal", pattern = "^[a-zA-Z0-9._-]{1,249}$",
                    example = "orders")
            String name,
            @Schema(minimum = "1", maximum = "10000", defaultValue = "1") Integer partitions,
            @Schema(minimum = "1", maximum = "1", defaultValue = "1", description = "1 on a single broker")
            Integer replicationFactor,
            @Schema(description = "Topic config overrides by Kafka name (docs/configuration.md)",
                    example = "{\"retention.ms\":\"86400000\"}")
            Map<String, String> config) {
    }

    @Schema(name = "GrowPartitions", description = "The new, larger partition count",
            additionalProperties = Schema.False.class)
    record GrowPartitions(@Schema(required = true, minimum = "2", maximum = "10000") int count) {
    }

    @Schema(name = "ConfigChanges", type = SchemaType.OBJECT, additionalProperties = String.class,
            description = "Config keys to set, by Kafka name (strings, numbers or booleans); null removes an"
            + " override. The same map may also come wrapped as {\"config\":{...}}",
            example = "{\"retention.ms\":\"3600000\",\"segment.ms\":null}")
    record ConfigChanges() {
    }

    @Schema(name = "ProduceRecord", description = "One record to produce. The key travels in keyFormat, the value"
            + " and headers in format")
    record ProduceRecord(
            @Schema(description = "Null or missing: no key (round-robin unless partition is given)", nullable = true)
            Object key,
            @Schema(description = "Any JSON value (format=json), a string (string) or base64 (binary); null is a null"
                    + " value", nullable = true)
            Object value,
            @Schema(description = "String values, or base64 with format=binary") Map<String, String> headers,
            @Schema(minimum = "0", description = "Explicit partition; otherwise the partitioner decides")
            Integer partition,
            @Schema(minimum = "0", description = "Create time in ms since the epoch; default the broker's time",
                    format = "int64")
            Long timestamp) {
    }

    @Schema(name = "ProduceRequest", description = "A batch of records, all written or none",
            additionalProperties = Schema.False.class)
    record ProduceRequest(@Schema(required = true, minItems = 1) List<ProduceRecord> records) {
    }

    @Schema(name = "RecordError", description = "Why a partition could not take its records")
    record RecordError(@Schema(required = true) String code, @Schema(required = true) String message) {
    }

    @Schema(name = "RecordOffset", description = "Where one record was written, or why its partition refused it")
    record RecordOffset(@Schema(required = true) int partition,
            @Schema(description = "Absent with acks=0 and on error", format = "int64") Long offset,
            @Schema(description = "The stored timestamp, ms since the epoch", format = "int64") Long timestamp,
            @Schema(description = "Present instead of offset when the partition refused the record")
            RecordError error) {
    }

    @Schema(name = "ProduceReply", description = "One result per record, in request order")
    record ProduceReply(@Schema(required = true) List<RecordOffset> offsets) {
    }

    @Schema(name = "FetchedRecord", description = "A stored record, key and value in the requested formats")
    record FetchedRecord(@Schema(required = true) String topic, @Schema(required = true) int partition,
            @Schema(required = true) long offset, @Schema(required = true) long timestamp,
            @Schema(nullable = true, description = "In keyFormat; null when the record has no key") Object key,
            @Schema(nullable = true, description = "In format; null for a null value") Object value,
            @Schema(type = SchemaType.OBJECT, description = "String values, or base64 with format=binary")
            Map<String, String> headers) {
    }

    @Schema(name = "FetchReply", description = "Records from offset on, and where to continue")
    record FetchReply(@Schema(required = true) List<FetchedRecord> records,
            @Schema(required = true, description = "The offset to ask for next") long nextOffset,
            @Schema(required = true, description = "The last committed offset plus one") long highWatermark,
            @Schema(required = true, description = "The first offset still stored") long logStartOffset) {
    }

    @Schema(name = "ResetOffsets", description = "Where to move a group's committed offsets of one topic; unknown"
            + " fields are refused", additionalProperties = Schema.False.class)
    record ResetOffsets(
            @Schema(required = true, example = "orders") String topic,
            @Schema(required = true, description = "\"earliest\" (log start), \"latest\" (high watermark),"
                    + " {\"timestamp\": ms} (first offset at or after it) or {\"offset\": n} (clamped to the log)",
                    example = "\"earliest\"") Object to,
            @Schema(description = "Partition numbers; absent: every partition of the topic") List<Integer> partitions) {
    }
}
