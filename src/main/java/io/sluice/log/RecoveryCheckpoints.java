package io.sluice.log;

import static io.sluice.log.CheckpointFileDescriptor.*;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * The recovery points of every partition of a broker, kept in one file of the data dir as Kafka
 * keeps {@code recovery-point-offset-checkpoint}: logs report each fsync here in memory, and the
 * broker writes the file periodically and at shutdown. One file, not one per partition, so a
 * checkpoint of ten thousand partitions costs two fsyncs, not twenty thousand.
 *
 * <p>The file is replaced atomically (temporary file, fsync, rename, directory fsync). A missing or
 * damaged file only costs time: every partition is then recovered from its first segment.
 */
public final class RecoveryCheckpoints {
    private static final System.Logger LOG = System.getLogger(RecoveryCheckpoints.class.getName());
    public static final String FILE_NAME = "recovery-point-checkpoint";
    private static final String TMP_SUFFIX = ".tmp";

    private final StorageIo io;
    /** Null: kept in memory only (tests of a single log). */
    private final Path file;
    /** Points read at start that no log has claimed yet; dropped at the next write. */
    private final Map<String, RecoveryPoint> loaded;
    private final Map<String, RecoveryPoint> points = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();

    private RecoveryCheckpoints(StorageIo io, Path file, Map<String, RecoveryPoint> loaded) {
        this.io = io;
        this.file = file;
        this.loaded = new ConcurrentHashMap<>(loaded);
    }

    /** Checkpoints that live only as long as this object: for tests of one log. */
    public static RecoveryCheckpoints inMemory() {
        return new RecoveryCheckpoints(StorageIo.DEFAULT, null, Map.of());
    }

    /** Reads the checkpoint file of {@code dir}, if any; a damaged one is reported and ignored. */
    public static RecoveryCheckpoints load(StorageIo io, Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        io.deleteIfExists(dir.resolve(FILE_NAME + TMP_SUFFIX)); // a write that did not finish
        Map<String, RecoveryPoint> loaded = Map.of();
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            try {
                loaded = decode(ByteBuffer.wrap(bytes));
            } catch (CorruptRecordException | BufferUnderflowException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "{0} is damaged ({1}); every partition is recovered from its "
                        + "first segment", file, e.getMessage());
            }
        }
        return new RecoveryCheckpoints(io, file, loaded);
    }

    /** The points in a checkpoint file, by partition name: for tools and tests that inspect a data dir. */
    public static Map<String, RecoveryPoint> readFile(Path file) throws IOException {
        return decode(ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    /** The point a log recorded for {@code name} before, if any; from now on its own reports count. */
    RecoveryPoint claim(String name) {
        RecoveryPoint p = points.get(name);
        return p != null ? p : loaded.remove(name);
    }

    void update(String name, RecoveryPoint point) {
        points.put(name, point);
        dirty.set(true);
    }

    void remove(String name) {
        points.remove(name);
        loaded.remove(name);
        dirty.set(true);
    }

    /** Writes the file if a point moved since the last write. Safe to call from any thread. */
    public synchronized void write() throws IOException {
        if (file == null || !dirty.getAndSet(false)) {
            return;
        }
        Map<String, RecoveryPoint> snapshot = new HashMap<>(points);
        Path tmp = file.resolveSibling(FILE_NAME + TMP_SUFFIX);
        try {
            try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = encode(snapshot);
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            io.moveAtomically(tmp, file);
            io.syncDirectory(file.getParent());
        } catch (IOException | RuntimeException e) {
            dirty.set(true);
            throw e;
        }
    }

    static ByteBuffer encode(Map<String, RecoveryPoint> points) {
        int length = HEADER_LENGTH + CRC_LENGTH;
        Map<String, byte[]> names = new HashMap<>();
        for (String name : points.keySet()) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            names.put(name, n);
            length += NAME_LENGTH_LENGTH + n.length + ENTRY_FIXED_LENGTH;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putInt(CURRENT_VERSION).putInt(points.size());
        points.forEach((name, p) -> {
            byte[] n = names.get(name);
            b.putShort((short) n.length).put(n);
            b.putLong(p.segmentBase()).putInt(p.position()).putLong(p.nextOffset()).putInt(p.lastBatchPosition())
                    .putInt((int) p.lastBatchCrc()).putLong(p.maxTimestamp()).putLong(p.offsetOfMaxTimestamp());
        });
        b.putInt(crc(b.array(), b.position()));
        return b.flip();
    }

    static Map<String, RecoveryPoint> decode(ByteBuffer b) {
        if (b.remaining() < HEADER_LENGTH + CRC_LENGTH) {
            throw new CorruptRecordException("shorter than a header: " + b.remaining() + " bytes");
        }
        int end = b.limit() - CRC_LENGTH;
        if (crc(b.array(), end) != b.getInt(end)) {
            throw new CorruptRecordException("CRC mismatch");
        }
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.getInt(VERSION_OFFSET) != CURRENT_VERSION) {
            throw new CorruptRecordException("magic=" + b.getInt(MAGIC_OFFSET) + " version=" + b.getInt(VERSION_OFFSET));
        }
        int count = b.getInt(COUNT_OFFSET);
        b.position(HEADER_LENGTH).limit(end);
        Map<String, RecoveryPoint> points = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int nameLength = b.getShort();
            if (nameLength < 0 || nameLength > MAX_NAME_LENGTH) {
                throw new CorruptRecordException("entry " + i + " has nameLength=" + nameLength);
            }
            byte[] n = new byte[nameLength];
            b.get(n);
            points.put(new String(n, StandardCharsets.UTF_8), new RecoveryPoint(b.getLong(), b.getInt(), b.getLong(),
                    b.getInt(), Integer.toUnsignedLong(b.getInt()), b.getLong(), b.getLong()));
        }
        return points;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
