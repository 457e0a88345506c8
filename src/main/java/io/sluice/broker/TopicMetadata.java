package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.regex.Pattern;

/** What defines a topic: its name, partition count, replication factor and config overrides. */
public record TopicMetadata(String name, String id, int partitions, int replicationFactor, TopicConfig config,
        long createdAtMs) {

    /** Kafka's rule: ASCII letters, digits, '.', '_' and '-', at most 249 characters, not "." or "..". */
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    public static final int MAX_PARTITIONS = 10_000;

    public static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name is empty");
        }
        if (name.equals(".") || name.equals("..") || !LEGAL_NAME.matcher(name).matches()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "illegal topic name '" + abbreviate(name)
                    + "': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'");
        }
    }

    public static void validatePartitionCount(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "partitions must be in [1, " + MAX_PARTITIONS
                    + "], was " + partitions);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    public TopicMetadata withPartitions(int count) {
        return new TopicMetadata(name, id, count, replicationFactor, config, createdAtMs);
    }

    public TopicMetadata withConfig(TopicConfig newConfig) {
        return new TopicMetadata(name, id, partitions, replicationFactor, newConfig, createdAtMs);
    }
}
