package io.sluice.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Durable topic metadata: one definition file per topic under {@code meta/topics}, replaced
 * atomically (write to a temporary file, fsync, rename, fsync the directory), so a crash leaves
 * either the old or the new definition, never half of one. A definition that fails validation is
 * moved to {@code meta/topics/quarantine/}, never deleted: an operator can read and repair it.
 */
final class TopicStore {
    static final String SUFFIX = ".topic";
    static final String QUARANTINE = "quarantine";

    /** What a start-up found: the good definitions and those set aside. */
    record Loaded(List<TopicMetadata> topics, List<DamagedDefinition> damaged) {
    }

    private static final System.Logger LOG = System.getLogger(TopicStore.class.getName());

    private final Path dataDir;
    private final Path dir;
    private final Path quarantine;

    TopicStore(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve("meta").resolve("topics");
        this.quarantine = dir.resolve(QUARANTINE);
        Files.createDirectories(dir);
    }

    /** Every definition; each one that fails validation is quarantined and reported, and the rest load. */
    Loaded loadAll(Partitioners partitioners) throws IOException {
        List<TopicMetadata> topics = new ArrayList<>();
        List<DamagedDefinition> damaged = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String file = f.getFileName().toString();
            if (file.endsWith(".tmp")) {
                Files.delete(f); // an interrupted save: the previous file, if any, still stands
            } else if (file.endsWith(SUFFIX)) {
                String name = file.substring(0, file.length() - SUFFIX.length());
                try {
                    TopicMetadata meta = TopicDefinitionFormat.decode(Files.readAllBytes(f), f.toString(),
                            partitioners);
                    if (!meta.name().equals(name)) {
                        throw new TopicDefinitionFormat.DamagedException(f.toString(), "name=" + meta.name()
                                + " does not match the file name");
                    }
                    topics.add(meta);
                } catch (IOException e) {
                    damaged.add(quarantine(name, String.valueOf(e.getMessage())));
                }
            }
        }
        damaged.addAll(setAsideEarlier(damaged));
        return new Loaded(topics, damaged);
    }

    /** Definitions quarantined at an earlier start and still there: reported until an operator handles them. */
    private List<DamagedDefinition> setAsideEarlier(List<DamagedDefinition> now) throws IOException {
        List<DamagedDefinition> earlier = new ArrayList<>();
        if (!Files.isDirectory(quarantine)) {
            return earlier;
        }
        List<String> fresh = now.stream().map(DamagedDefinition::setAsideAt).toList();
        try (Stream<Path> files = Files.list(quarantine)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                String relative = dataDir.relativize(f).toString();
                int end = file.lastIndexOf(SUFFIX);
                if (end > 0 && !fresh.contains(relative)) {
                    earlier.add(new DamagedDefinition(file.substring(0, end), "set aside at an earlier start (the log "
                            + "of that start says why); remove it from the quarantine once handled", relative, false));
                }
            }
        }
        return earlier;
    }

    /** Moves a topic's definition aside (not deleted: it may be the only record of what it said). */
    DamagedDefinition quarantine(String name, String problem) throws IOException {
        Path file = dir.resolve(name + SUFFIX);
        Files.createDirectories(quarantine);
        Path target = quarantine.resolve(name + SUFFIX);
        for (int n = 1; Files.exists(target); n++) {
            target = quarantine.resolve(name + SUFFIX + "." + n);
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(quarantine);
        fsyncDirectory(dir);
        LOG.log(System.Logger.Level.ERROR, "{0}; moved to {1}", problem, target);
        return new DamagedDefinition(name, problem, dataDir.relativize(target).toString(), false);
    }

    /** The definition file of a topic name. */
    Path fileOf(String name) {
        return dir.resolve(name + SUFFIX);
    }

    void save(TopicMetadata topic) {
        try {
            Path target = dir.resolve(topic.name() + SUFFIX);
            // Named by the topic id, not "<name>.topic.tmp": a legal name of 249 characters makes
            // that 259, past the 255 bytes a file name may have.
            Path tmp = dir.resolve(topic.id() + SUFFIX + ".tmp");
            writeDurably(tmp, TopicDefinitionFormat.encode(topic));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("saving topic " + topic.name(), e);
        }
    }

    void delete(String topic) {
        try {
            Files.deleteIfExists(dir.resolve(topic + SUFFIX));
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting topic " + topic, e);
        }
    }

    static void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
    }

    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
