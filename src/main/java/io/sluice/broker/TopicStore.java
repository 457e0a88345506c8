package io.sluice.broker;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Durable topic metadata: one properties file per topic under {@code meta/topics}, replaced
 * atomically (write to a temporary file, fsync, rename, fsync the directory), so a crash leaves
 * either the old or the new definition, never half of one.
 */
final class TopicStore {
    private static final String SUFFIX = ".topic";
    private static final String FORMAT_KEY = "format.version";
    /** Version 1: name, id, partitions, replication factor, created-at and config.* overrides. */
    private static final String FORMAT_VERSION = "1";
    private static final String CONFIG_PREFIX = "config.";

    private final Path dir;

    TopicStore(Path dataDir) throws IOException {
        this.dir = dataDir.resolve("meta").resolve("topics");
        Files.createDirectories(dir);
    }

    List<TopicMetadata> loadAll(Partitioners partitioners) throws IOException {
        List<TopicMetadata> topics = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(".tmp")) {
                    Files.delete(f); // an interrupted save: the previous file, if any, still stands
                } else if (file.endsWith(SUFFIX)) {
                    topics.add(read(f, partitioners));
                }
            }
        }
        return topics;
    }

    private static TopicMetadata read(Path file, Partitioners partitioners) throws IOException {
        return decode(Files.readAllBytes(file), file.toString(), partitioners);
    }

    /** A topic definition from its bytes (the same form on disk and in the bucket). */
    static TopicMetadata decode(byte[] bytes, String where, Partitioners partitioners) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        if (!FORMAT_VERSION.equals(p.getProperty(FORMAT_KEY))) {
            throw new IOException("topic definition " + where + " has format.version=" + p.getProperty(FORMAT_KEY)
                    + ", expected " + FORMAT_VERSION);
        }
        Map<String, String> overrides = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(CONFIG_PREFIX)) {
                overrides.put(key.substring(CONFIG_PREFIX.length()), p.getProperty(key));
            }
        }
        return new TopicMetadata(p.getProperty("name"), p.getProperty("id"),
                Integer.parseInt(p.getProperty("partitions")), Integer.parseInt(p.getProperty("replicationFactor")),
                TopicConfig.of(overrides, partitioners), Long.parseLong(p.getProperty("createdAtMs")));
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

    void save(TopicMetadata topic) {
        try {
            Path target = dir.resolve(topic.name() + SUFFIX);
            // Named by the topic id, not "<name>.topic.tmp": a legal name of 249 characters makes
            // that 259, past the 255 bytes a file name may have.
            Path tmp = dir.resolve(topic.id() + SUFFIX + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(encode(topic));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("saving topic " + topic.name(), e);
        }
    }

    void delete(String topic) {
        try {
            Files.deleteIfExists(dir.resolve(topic + SUFFIX));
            fsyncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("deleting topic " + topic, e);
        }
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
