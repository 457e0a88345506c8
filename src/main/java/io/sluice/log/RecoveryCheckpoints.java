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
import java.util.List;
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
 *
 * <p>Beside it, the high watermarks of the logs whose watermark replication manages go to
 * {@code replication-offset-checkpoint}, as Kafka keeps them: text, a version line, a count line, then
 * one {@code name highWatermark} line per partition. Written the same way and at the same times.
 */
public final class RecoveryCheckpoints {
    private static final System.Logger LOG = System.getLogger(RecoveryCheckpoints.class.getName());
    public static final String FILE_NAME = "recovery-point-checkpoint";
    public static final String HW_FILE_NAME = "replication-offset-checkpoint";
    private static final String TMP_SUFFIX = ".tmp";
    private static final int HW_FILE_VERSION = 0;
    /** What {@link #claimHighWatermark} answers for a partition it has no watermark of. */
    static final long NO_HIGH_WATERMARK = -1;

    private final StorageIo io;
    /** Null: kept in memory only (tests of a single log). */
    private final Path file;
    /** Points read at start that no log has claimed yet; dropped at the next write. */
    private final Map<String, RecoveryPoint> loaded;
    private final Map<String, RecoveryPoint> points = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final Map<String, Long> loadedHighWatermarks;
    private final Map<String, Long> highWatermarks = new ConcurrentHashMap<>();
    private final AtomicBoolean highWatermarksDirty = new AtomicBoolean();

    private RecoveryCheckpoints(StorageIo io, Path file, Map<String, RecoveryPoint> loaded,
            Map<String, Long> loadedHighWatermarks) {
        this.io = io;
        this.file = file;
        this.loaded = new ConcurrentHashMap<>(loaded);
        this.loadedHighWatermarks = new ConcurrentHashMap<>(loadedHighWatermarks);
    }

    /** Checkpoints that live only as long as this object: for tests of one log. */
    public static RecoveryCheckpoints inMemory() {
        return new RecoveryCheckpoints(StorageIo.DEFAULT, null, Map.of(), Map.of());
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
        return new RecoveryCheckpoints(io, file, loaded, loadHighWatermarks(io, dir.resolve(HW_FILE_NAME)));
    }

    private static Map<String, Long> loadHighWatermarks(StorageIo io, Path hwFile) throws IOException {
        io.deleteIfExists(hwFile.resolveSibling(HW_FILE_NAME + TMP_SUFFIX));
        if (!Files.exists(hwFile)) {
            return Map.of();
        }
        try {
            return decodeHighWatermarks(Files.readAllLines(hwFile, StandardCharsets.UTF_8));
        } catch (CorruptRecordException | NumberFormatException | IndexOutOfBoundsException e) {
            // Losing the watermarks costs visibility, not data: a follower learns the leader's again.
            LOG.log(System.Logger.Level.WARNING, "{0} is damaged ({1}); managed high watermarks start at the log "
                    + "start", hwFile, e.getMessage());
            return Map.of();
        }
    }

    static Map<String, Long> decodeHighWatermarks(List<String> lines) {
        if (Integer.parseInt(lines.get(0).trim()) != HW_FILE_VERSION) {
            throw new CorruptRecordException("version " + lines.get(0));
        }
        int count = Integer.parseInt(lines.get(1).trim());
        if (count != lines.size() - 2) {
            throw new CorruptRecordException("count=" + count + " but " + (lines.size() - 2) + " entries");
        }
        Map<String, Long> hws = new HashMap<>();
        for (String line : lines.subList(2, lines.size())) {
            int space = line.lastIndexOf(' ');
            hws.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).trim()));
        }
        return hws;
    }

    /** The high watermarks in a {@code replication-offset-checkpoint} file: for tools and tests. */
    public static Map<String, Long> readHighWatermarks(Path hwFile) throws IOException {
        return decodeHighWatermarks(Files.readAllLines(hwFile, StandardCharsets.UTF_8));
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

    /**
     * The high watermark checkpointed for {@code name}, or {@link #NO_HIGH_WATERMARK}; from now on
     * the log's own updates count.
     */
    long claimHighWatermark(String name) {
        Long hw = highWatermarks.get(name);
        if (hw == null) {
            hw = loadedHighWatermarks.remove(name);
        }
        return hw == null ? NO_HIGH_WATERMARK : hw;
    }

    void updateHighWatermark(String name, long hw) {
        Long previous = highWatermarks.put(name, hw);
        if (previous == null || previous != hw) {
            highWatermarksDirty.set(true);
        }
    }

    void update(String name, RecoveryPoint point) {
        points.put(name, point);
        dirty.set(true);
    }

    void remove(String name) {
        points.remove(name);
        loaded.remove(name);
        dirty.set(true);
        if (highWatermarks.remove(name) != null | loadedHighWatermarks.remove(name) != null) {
            highWatermarksDirty.set(true);
        }
    }

    /** Writes the files whose content moved since their last write. Safe to call from any thread. */
    public synchronized void write() throws IOException {
        if (file == null) {
            return;
        }
        if (dirty.getAndSet(false)) {
            try {
                writeAtomically(file, encode(new HashMap<>(points)));
            } catch (IOException | RuntimeException e) {
                dirty.set(true);
                throw e;
            }
        }
        if (highWatermarksDirty.getAndSet(false)) {
            StringBuilder text = new StringBuilder();
            Map<String, Long> snapshot = new HashMap<>(highWatermarks);
            text.append(HW_FILE_VERSION).append('\n').append(snapshot.size()).append('\n');
            snapshot.forEach((name, hw) -> text.append(name).append(' ').append(hw).append('\n'));
            try {
                writeAtomically(file.resolveSibling(HW_FILE_NAME),
                        ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                highWatermarksDirty.set(true);
                throw e;
            }
        }
    }

    private void writeAtomically(Path target, ByteBuffer bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        io.moveAtomically(tmp, target);
        io.syncDirectory(target.getParent());
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
