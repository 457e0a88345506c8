package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A topic's configuration overrides, by Kafka's names, validated on the way in. Only the keys of
 * {@link #KEYS} are accepted; a value of the wrong type or range is refused with
 * {@link ErrorCode#INVALID_CONFIG} and nothing changes.
 */
public final class TopicConfig {
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String LOCAL_RETENTION_MS = "local.retention.ms";
    public static final String LOCAL_RETENTION_BYTES = "local.retention.bytes";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String PARTITIONER = "partitioner";
    public static final String REMOTE_STORAGE_ENABLE = "remote.storage.enable";
    /** {@code delete} (the default), {@code compact}, or both ({@code compact,delete}). */
    public static final String CLEANUP_POLICY = "cleanup.policy";
    /** How long a compacted topic keeps a tombstone (a record with a null value) once its segment is cleaned. */
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    /** Kafka's default: a day. */
    public static final long DEFAULT_DELETE_RETENTION_MS = 24L * 60 * 60 * 1000;
    /** KIP-937: how far before the broker's clock a record's timestamp may be. */
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    /** KIP-937: how far after the broker's clock a record's timestamp may be. */
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final long DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = Long.MAX_VALUE;
    /** Kafka 4's default: a clock an hour fast is tolerated, a timestamp years ahead is not. */
    public static final long DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS = 60L * 60 * 1000;

    public static final Set<String> KEYS = Set.of(RETENTION_MS, RETENTION_BYTES, LOCAL_RETENTION_MS,
            LOCAL_RETENTION_BYTES, SEGMENT_BYTES, SEGMENT_MS, MIN_INSYNC_REPLICAS, MAX_MESSAGE_BYTES, PARTITIONER,
            REMOTE_STORAGE_ENABLE, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, MESSAGE_TIMESTAMP_AFTER_MAX_MS, CLEANUP_POLICY,
            DELETE_RETENTION_MS);

    private final Map<String, String> values;

    private TopicConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Validates overrides; {@code partitioners} tells which partitioner names exist. */
    public static TopicConfig of(Map<String, String> overrides, Partitioners partitioners) {
        TreeMap<String, String> checked = new TreeMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (!KEYS.contains(key)) {
                throw invalid("unknown config '" + key + "'; known: " + new TreeSet<>(KEYS));
            }
            if (value == null) {
                throw invalid("config '" + key + "' needs a value");
            }
            switch (key) {
                case RETENTION_MS, RETENTION_BYTES -> parseLong(key, value, -1, Long.MAX_VALUE);
                case LOCAL_RETENTION_MS, LOCAL_RETENTION_BYTES -> parseLong(key, value, -2, Long.MAX_VALUE);
                case SEGMENT_BYTES -> parseLong(key, value, 14, Integer.MAX_VALUE);
                case SEGMENT_MS -> parseLong(key, value, 1, Long.MAX_VALUE);
                case MIN_INSYNC_REPLICAS -> parseLong(key, value, 1, Integer.MAX_VALUE);
                case MAX_MESSAGE_BYTES -> parseLong(key, value, 0, Integer.MAX_VALUE);
                case MESSAGE_TIMESTAMP_BEFORE_MAX_MS, MESSAGE_TIMESTAMP_AFTER_MAX_MS ->
                        parseLong(key, value, 0, Long.MAX_VALUE);
                case REMOTE_STORAGE_ENABLE -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw invalid("config '" + key + "' must be true or false, was '" + value + "'");
                    }
                }
                case PARTITIONER -> partitioners.require(value);
                case DELETE_RETENTION_MS -> parseLong(key, value, 0, Long.MAX_VALUE);
                case CLEANUP_POLICY -> {
                    value = cleanupPolicy(value);
                }
                default -> throw new IllegalStateException("unhandled config " + key);
            }
            checked.put(key, value);
        }
        return new TopicConfig(checked);
    }

    /** This config with {@code changes} applied; a null value removes the override. */
    public TopicConfig with(Map<String, String> changes, Partitioners partitioners) {
        TreeMap<String, String> merged = new TreeMap<>(values);
        TreeMap<String, String> set = new TreeMap<>();
        for (Map.Entry<String, String> e : changes.entrySet()) {
            if (e.getValue() == null) {
                if (!KEYS.contains(e.getKey())) {
                    throw invalid("unknown config '" + e.getKey() + "'; known: " + new TreeSet<>(KEYS));
                }
                merged.remove(e.getKey());
            } else {
                set.put(e.getKey(), e.getValue());
            }
        }
        merged.putAll(of(set, partitioners).values);
        return new TopicConfig(merged);
    }

    /** The policy in its canonical spelling; {@code delete,compact} is {@code compact,delete}. */
    private static String cleanupPolicy(String value) {
        Set<String> parts = new TreeSet<>();
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            if (!p.equals("delete") && !p.equals("compact")) {
                throw invalid("config '" + CLEANUP_POLICY + "' must be delete, compact or compact,delete, was '"
                        + value + "'");
            }
            parts.add(p);
        }
        return String.join(",", parts);
    }

    /** Whether the latest record per key is kept (cleanup.policy has compact). */
    public boolean compact() {
        return values.getOrDefault(CLEANUP_POLICY, "delete").contains("compact");
    }

    /** Whether old segments are deleted by retention (cleanup.policy has delete, the default). */
    public boolean deleteByRetention() {
        return values.getOrDefault(CLEANUP_POLICY, "delete").contains("delete");
    }

    public long deleteRetentionMs() {
        return longValue(DELETE_RETENTION_MS, DEFAULT_DELETE_RETENTION_MS);
    }

    private static long parseLong(String key, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid("config '" + key + "' must be a whole number, was '" + value + "'");
        }
        if (v < min || v > max) {
            throw invalid("config '" + key + "'=" + v + " is out of range [" + min + ", " + max + "]");
        }
        return v;
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_CONFIG, message);
    }

    /** The overrides as given (sorted by key). */
    public Map<String, String> overrides() {
        return Collections.unmodifiableMap(values);
    }

    public String partitioner() {
        return values.get(PARTITIONER);
    }

    public int minInsyncReplicas() {
        return (int) longValue(MIN_INSYNC_REPLICAS, 1);
    }

    public long messageTimestampBeforeMaxMs() {
        return longValue(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS);
    }

    public long messageTimestampAfterMaxMs() {
        return longValue(MESSAGE_TIMESTAMP_AFTER_MAX_MS, DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS);
    }

    /**
     * The log's settings. A topic that is compacted and not {@code delete} never loses a key's latest
     * record to time or size: its total retention is unbounded whatever {@code retention.*} say.
     */
    public LogConfig toLogConfig(LogConfig defaults) {
        boolean retains = deleteByRetention();
        return new LogConfig(
                (int) longValue(SEGMENT_BYTES, defaults.segmentBytes()),
                longValue(SEGMENT_MS, defaults.segmentMs()),
                retains ? longValue(RETENTION_MS, defaults.retentionMs()) : -1,
                retains ? longValue(RETENTION_BYTES, defaults.retentionBytes()) : -1,
                (int) longValue(MAX_MESSAGE_BYTES, defaults.maxMessageBytes()),
                defaults.indexIntervalBytes(),
                values.containsKey(REMOTE_STORAGE_ENABLE) ? Boolean.parseBoolean(values.get(REMOTE_STORAGE_ENABLE))
                        : defaults.remoteStorage(),
                longValue(LOCAL_RETENTION_MS, defaults.localRetentionMs()),
                longValue(LOCAL_RETENTION_BYTES, defaults.localRetentionBytes()),
                compact(), deleteRetentionMs());
    }

    private long longValue(String key, long fallback) {
        String v = values.get(key);
        return v == null ? fallback : Long.parseLong(v.trim());
    }
}
