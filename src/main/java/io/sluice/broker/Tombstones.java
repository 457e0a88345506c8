package io.sluice.broker;

import io.sluice.tier.TierLayout;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Deleted topics whose objects may still be in the bucket: one fsynced file per topic id under
 * {@code meta/tombstones}, written before the topic is forgotten and removed only once its prefix
 * in the bucket is empty. A tombstoned id is never restored from the bucket, so a topic deleted
 * just before a crash stays deleted.
 */
final class Tombstones {
    private static final System.Logger LOG = System.getLogger(Tombstones.class.getName());
    private static final String SUFFIX = ".tombstone";
    private static final String FORMAT_VERSION = "1";

    /** A deleted topic: its id (the bucket prefix to empty), its name and partition count. */
    record Tombstone(String id, String name, int partitions, long deletedAtMs) {
        byte[] toBytes() {
            Properties p = new Properties();
            p.setProperty("format.version", FORMAT_VERSION);
            p.setProperty("id", id);
            p.setProperty("name", name);
            p.setProperty("partitions", Integer.toString(partitions));
            p.setProperty("deletedAtMs", Long.toString(deletedAtMs));
            StringWriter out = new StringWriter();
            try {
                p.store(out, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }

        static Tombstone parse(byte[] bytes, String where) throws IOException {
            Properties p = new Properties();
            p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            if (!TierLayout.isTopicId(p.getProperty("id"))) {
                throw new IOException("tombstone " + where + " has id=" + p.getProperty("id") + ", not a topic id");
            }
            try {
                return new Tombstone(p.getProperty("id"), p.getProperty("name"),
                        Integer.parseInt(p.getProperty("partitions")), Long.parseLong(p.getProperty("deletedAtMs")));
            } catch (RuntimeException e) {
                throw new IOException("tombstone " + where + " is unreadable: " + e, e);
            }
        }
    }

    private final Path dir;

    Tombstones(Path dataDir) throws IOException {
        this.dir = dataDir.resolve("meta").resolve("tombstones");
        Files.createDirectories(dir);
    }

    /** Writes the tombstone durably (fsync of the file and the directory) before it returns. */
    void save(Tombstone t) {
        try {
            Path tmp = dir.resolve(t.id() + SUFFIX + ".tmp");
            TopicStore.writeDurably(tmp, t.toBytes());
            Files.move(tmp, dir.resolve(t.id() + SUFFIX), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            TopicStore.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the tombstone of topic " + t.name(), e);
        }
    }

    void remove(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + SUFFIX));
            TopicStore.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("removing the tombstone of topic id " + id, e);
        }
    }

    /** Every tombstone on disk; an unreadable one is logged and counts by the id its file is named by. */
    List<Tombstone> loadAll() throws IOException {
        List<Tombstone> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (file.endsWith(".tmp")) {
                    Files.delete(f); // never renamed: the deletion it was for never happened
                } else if (file.endsWith(SUFFIX)) {
                    if (!TierLayout.isTopicId(file.substring(0, file.length() - SUFFIX.length()))) {
                        LOG.log(System.Logger.Level.ERROR, "{0} is not named by a topic id; ignored", f);
                        continue;
                    }
                    try {
                        all.add(Tombstone.parse(Files.readAllBytes(f), f.toString()));
                    } catch (IOException e) {
                        // The file name still says which id was deleted: that is enough to keep it deleted.
                        LOG.log(System.Logger.Level.ERROR, e.getMessage());
                        all.add(new Tombstone(file.substring(0, file.length() - SUFFIX.length()), "(unreadable)", 0,
                                0));
                    }
                }
            }
        }
        return all;
    }
}
