package io.sluice.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * This broker's copy of the cluster metadata on disk, {@code dataDir/cluster/metadata.snapshot}: every
 * entry of the four caches as the encoded strings of {@link MetadataCodec}. Rewritten whole (temporary
 * file, fsync, atomic rename, fsync of the directory) so a crash leaves the old or the new copy, never
 * a mix. A file that fails its checksum is set aside as {@code metadata.snapshot.damaged-{millis}} and
 * reported, never silently dropped.
 *
 * <pre>
 * 0       4         8        12
 * +-------+---------+--------+-------------------------------------------+--------+
 * | magic | version | count  | count x (tag:u8 key:string value:string)  | crc32c |
 * +-------+---------+--------+-------------------------------------------+--------+
 * big-endian; string := length:i32 utf8-bytes; crc32c covers every byte before it
 * </pre>
 */
final class MetadataSnapshot {
    private static final System.Logger LOG = System.getLogger(MetadataSnapshot.class.getName());
    static final String FILE_NAME = "metadata.snapshot";
    static final int MAGIC = 0x534c4d44; // "SLMD"
    /** Version 1: tagged entries of brokers, topics, partition states and topic tombstones. */
    static final int VERSION_TOPICS = 1;
    /** Version 2 adds drain marks of brokers (tag 5); a version 1 file is read as it is. */
    static final int VERSION = 2;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    static final int COUNT_OFFSET = VERSION_OFFSET + Integer.BYTES;
    static final int ENTRIES_OFFSET = COUNT_OFFSET + Integer.BYTES;
    static final int CRC_LENGTH = Integer.BYTES;

    private final Path dir;
    private final Path file;

    MetadataSnapshot(Path dataDir) {
        this.dir = dataDir.resolve("cluster");
        this.file = dir.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /** @return the entries per section; empty sections when there is no file or it was set aside as damaged */
    Map<MetadataSection, Map<String, String>> read() {
        Map<MetadataSection, Map<String, String>> sections = emptySections();
        if (!Files.exists(file)) {
            return sections;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            parse(bytes, sections);
            return sections;
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            Path aside = asideName();
            LOG.log(System.Logger.Level.ERROR, "{0} is damaged ({1}); set aside as {2}, this broker starts from "
                    + "the metadata of the others", file, e.getMessage(), aside);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                throw new UncheckedIOException("cannot set aside damaged " + file, moveFailed);
            }
            return emptySections();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code metadata.snapshot.damaged-{millis}}, with a suffix when one of that millisecond exists already. */
    private Path asideName() {
        String base = FILE_NAME + ".damaged-" + System.currentTimeMillis();
        Path aside = dir.resolve(base);
        for (int n = 1; Files.exists(aside); n++) {
            aside = dir.resolve(base + "-" + n);
        }
        return aside;
    }

    private void parse(byte[] bytes, Map<MetadataSection, Map<String, String>> sections) {
        if (bytes.length < ENTRIES_OFFSET + CRC_LENGTH) {
            throw new IllegalArgumentException("length=" + bytes.length + " is shorter than a header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_LENGTH);
        int stored = buf.getInt(bytes.length - CRC_LENGTH);
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException("crc32c=" + Integer.toHexString(stored) + ", computed "
                    + Long.toHexString(crc.getValue()));
        }
        if (buf.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new IllegalArgumentException("magic=" + Integer.toHexString(buf.getInt(MAGIC_OFFSET)));
        }
        int version = buf.getInt(VERSION_OFFSET);
        if (version < VERSION_TOPICS || version > VERSION) {
            throw new IllegalArgumentException("version=" + version + ", expected " + VERSION_TOPICS + " to "
                    + VERSION);
        }
        int count = buf.getInt(COUNT_OFFSET);
        buf.position(ENTRIES_OFFSET).limit(bytes.length - CRC_LENGTH);
        for (int i = 0; i < count; i++) {
            MetadataSection section = MetadataSection.ofTag(buf.get());
            String key = readString(buf);
            sections.get(section).put(key, readString(buf));
        }
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " bytes after count=" + count + " entries");
        }
    }

    private static String readString(ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new IllegalArgumentException("string length=" + length + " at position=" + (buf.position() - 4)
                    + ", remaining=" + buf.remaining());
        }
        byte[] b = new byte[length];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Replaces the file with these entries, durably. */
    void write(Map<MetadataSection, Map<String, String>> sections) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            int count = sections.values().stream().mapToInt(Map::size).sum();
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(count);
            for (Map.Entry<MetadataSection, Map<String, String>> section : sections.entrySet()) {
                for (Map.Entry<String, String> e : section.getValue().entrySet()) {
                    out.writeByte(section.getKey().tag);
                    writeString(out, e.getKey());
                    writeString(out, e.getValue());
                }
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        new DataOutputStream(bytes).writeInt((int) crc.getValue());
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static Map<MetadataSection, Map<String, String>> emptySections() {
        Map<MetadataSection, Map<String, String>> sections = new EnumMap<>(MetadataSection.class);
        for (MetadataSection s : MetadataSection.values()) {
            sections.put(s, new HashMap<>());
        }
        return sections;
    }
}
