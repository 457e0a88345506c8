package io.sluice.broker;

import io.sluice.error.SluiceException;
import io.sluice.tier.TierLayout;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The bytes of a topic definition, the same on disk ({@code meta/topics/{name}.topic}) and in
 * the bucket: a properties text with a format version. Decoding validates every field as strictly
 * as the API validates a create (name, partition bounds, id, config), so that a damaged or
 * hand-edited definition is refused with a message that names the file and the field, instead of
 * creating directories outside the data dir or claiming fewer partitions than the disk holds.
 */
final class TopicDefinitionFormat {
    private static final String FORMAT_KEY = "format.version";
    /** Version 1: name, id, partitions, replication factor, created-at and config.* overrides. */
    private static final String FORMAT_VERSION = "1";
    private static final String CONFIG_PREFIX = "config.";
    private static final Set<String> FIELDS = Set.of(FORMAT_KEY, "name", "id", "partitions", "replicationFactor",
            "createdAtMs");

    private TopicDefinitionFormat() {
    }

    /** A definition that cannot be used, with what is wrong with it. */
    static final class DamagedException extends IOException {
        DamagedException(String where, String problem) {
            super("topic definition " + where + ": " + problem);
        }
    }

    static byte[] encode(TopicMetadata topic) {
        Properties p = new Properties();
        p.setProperty(FORMAT_KEY, FORMAT_VERSION);
        p.setProperty("name", topic.name());
        p.setProperty("id", topic.id());
        p.setProperty("partitions", Integer.toString(topic.partitions()));
        p.setProperty("replicationFactor", Integer.toString(topic.replicationFactor()));
        p.setProperty("createdAtMs", Long.toString(topic.createdAtMs()));
        topic.config().overrides().forEach((k, v) -> p.setProperty(CONFIG_PREFIX + k, v));
        StringWriter text = new StringWriter();
        try {
            p.store(text, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes and validates a definition; {@code where} names it in the error (a file, an object key). */
    static TopicMetadata decode(byte[] bytes, String where, Partitioners partitioners) throws DamagedException {
        Properties p = new Properties();
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            p.load(new StringReader(text));
        } catch (CharacterCodingException e) {
            throw new DamagedException(where, "not UTF-8 text");
        } catch (IOException | IllegalArgumentException e) {
            throw new DamagedException(where, "not a properties text: " + e.getMessage());
        }
        if (!FORMAT_VERSION.equals(p.getProperty(FORMAT_KEY))) {
            throw new DamagedException(where, FORMAT_KEY + "=" + p.getProperty(FORMAT_KEY) + ", expected "
                    + FORMAT_VERSION);
        }
        Map<String, String> overrides = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(CONFIG_PREFIX)) {
                overrides.put(key.substring(CONFIG_PREFIX.length()), p.getProperty(key));
            } else if (!FIELDS.contains(key)) {
                throw new DamagedException(where, "unknown field '" + key + "'");
            }
        }
        String name = required(p, "name", where);
        String id = required(p, "id", where);
        try {
            TopicMetadata.validateName(name);
            if (!TierLayout.isTopicId(id)) {
                throw new DamagedException(where, "id=" + id + " is not a topic id (a UUID)");
            }
            int partitions = (int) number(p, "partitions", where, 1, TopicMetadata.MAX_PARTITIONS);
            int replicationFactor = (int) number(p, "replicationFactor", where, 1, TopicMetadata.MAX_REPLICATION_FACTOR);
            long createdAtMs = number(p, "createdAtMs", where, 0, Long.MAX_VALUE);
            TopicConfig config = TopicConfig.of(overrides, partitioners);
            if (config.minInsyncReplicas() > replicationFactor) {
                throw new DamagedException(where, "min.insync.replicas=" + config.minInsyncReplicas()
                        + " exceeds replicationFactor=" + replicationFactor);
            }
            return new TopicMetadata(name, id, partitions, replicationFactor, config, createdAtMs);
        } catch (SluiceException e) {
            throw new DamagedException(where, e.getMessage());
        }
    }

    private static String required(Properties p, String key, String where) throws DamagedException {
        String value = p.getProperty(key);
        if (value == null || value.isEmpty()) {
            throw new DamagedException(where, "field '" + key + "' is missing");
        }
        return value;
    }

    private static long number(Properties p, String key, String where, long min, long max) throws DamagedException {
        String value = required(p, key, where);
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new DamagedException(where, key + "=" + value + " is not a whole number");
        }
        if (n < min || n > max) {
            throw new DamagedException(where, key + "=" + n + " is out of range [" + min + ", " + max + "]");
        }
        return n;
    }
}
