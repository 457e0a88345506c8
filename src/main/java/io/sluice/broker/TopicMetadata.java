package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Collection;
import java.util.regex.Pattern;

/** What defines a topic: its name, partition count, replication factor and config overrides. */
public record TopicMetadata(String name, String id, int partitions, int replicationFactor, TopicConfig config,
        long createdAtMs) {

    /** Kafka's rule: ASCII letters, digits, '.', '_' and '-', at most 249 characters, not "." or "..". */
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    public static final int MAX_PARTITIONS = 10_000;
    /** Kafka's bound (a replication factor is a short there). */
    public static final int MAX_REPLICATION_FACTOR = Short.MAX_VALUE;

    public static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name is empty");
        }
        if (name.equals(".") || name.equals("..") || !LEGAL_NAME.matcher(name).matches()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "illegal topic name '" + abbreviate(name)
                    + "': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'");
        }
    }

    /**
     * Kafka's rule: metric names replace '.' with '_', so "a.b" and "a_b" would share meters; a new
     * name that equals an existing one up to '.' versus '_' is refused, as Kafka refuses it.
     */
    public static void refuseCollision(String name, Collection<String> existing) {
        if (name.indexOf('.') < 0 && name.indexOf('_') < 0) {
            return;
        }
        String unified = unifyCollisionChars(name);
        for (String other : existing) {
            if (!other.equals(name) && unifyCollisionChars(other).equals(unified)) {
                throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic '" + abbreviate(name)
                        + "' collides with existing topic '" + abbreviate(other)
                        + "': names that differ only in '.' and '_' are not allowed");
            }
        }
    }

    private static String unifyCollisionChars(String name) {
        return name.replace('.', '_');
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
