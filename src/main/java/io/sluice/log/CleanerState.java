package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What the cleaner knows of one compacted log, kept in {@value #FILE_NAME} beside its segments: the
 * first dirty offset (records below it were cleaned against every key seen up to it), and when each
 * range of offsets was first cleaned, so that a tombstone is kept for {@code delete.retention.ms}
 * after its segment was first cleaned and then removed (Kafka's delete horizon).
 *
 * <p>The file is a cache that errs one way only: lost or damaged, the log counts as dirty from its
 * start and no tombstone as cleaned yet, so compaction redoes work and keeps tombstones longer,
 * never shorter. Truncation below the first dirty offset is written at once for the same reason (a
 * tombstone written again below a stale horizon must not be dropped early).
 *
 * <pre>
 *   0       4       8               16      20                                     20+16n  24+16n
 *   +-------+-------+---------------+-------+---------------+---------------+ ... +-------+
 *   | magic |version| firstDirty    | n     | upTo[0]       | cleanedAtMs[0]| ... | crc   |
 *   +-------+-------+---------------+-------+---------------+---------------+ ... +-------+
 * </pre>
 *
 * Big-endian; the CRC32C covers everything before it. Thread-safe (the cleaner and the log's writer).
 */
final class CleanerState {
    static final String FILE_NAME = "cleaner.checkpoint";
    static final int MAGIC = 0x534C4343; // "SLCC"
    /** Version 1: first dirty offset and the first-cleaned horizons. */
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int FIRST_DIRTY_OFFSET = VERSION_OFFSET + 4;
    static final int COUNT_OFFSET = FIRST_DIRTY_OFFSET + 8;
    static final int ENTRIES_OFFSET = COUNT_OFFSET + 4;
    static final int ENTRY_LENGTH = 16;
    static final int CRC_LENGTH = 4;
    /** Beyond this many horizons, neighbours merge at the later time: tombstones live a little longer. */
    static final int MAX_HORIZONS = 64;

    /** Offsets below {@code upTo} had all been cleaned by {@code cleanedAtMs}. */
    record Horizon(long upTo, long cleanedAtMs) {
    }

    private final StorageIo io;
    private final Path file;
    private long firstDirty;
    private final List<Horizon> horizons = new ArrayList<>();
    private long generation;
    private long appliedRemovableBelow = -1;

    private CleanerState(StorageIo io, Path file) {
        this.io = io;
        this.file = file;
    }

    static CleanerState load(StorageIo io, Path dir) {
        CleanerState state = new CleanerState(io, dir.resolve(FILE_NAME));
        try {
            if (Files.exists(state.file)) {
                state.read(ByteBuffer.wrap(Files.readAllBytes(state.file)));
            }
        } catch (IOException | RuntimeException e) {
            state.firstDirty = 0;
            state.horizons.clear();
            System.getLogger(CleanerState.class.getName()).log(System.Logger.Level.WARNING,
                    "{0} is unreadable ({1}); the log counts as dirty from its start", state.file, e.toString());
        }
        return state;
    }

    private void read(ByteBuffer b) {
        if (b.limit() < ENTRIES_OFFSET + CRC_LENGTH || b.getInt(MAGIC_OFFSET) != MAGIC
                || b.getInt(VERSION_OFFSET) != VERSION) {
            throw new IllegalStateException("bad header");
        }
        int n = b.getInt(COUNT_OFFSET);
        if (n < 0 || n > MAX_HORIZONS || b.limit() != ENTRIES_OFFSET + n * ENTRY_LENGTH + CRC_LENGTH) {
            throw new IllegalStateException("bad length for count=" + n);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(b.limit() - CRC_LENGTH));
        if ((int) crc.getValue() != b.getInt(b.limit() - CRC_LENGTH)) {
            throw new IllegalStateException("crc mismatch");
        }
        firstDirty = b.getLong(FIRST_DIRTY_OFFSET);
        for (int i = 0; i < n; i++) {
            int at = ENTRIES_OFFSET + i * ENTRY_LENGTH;
            horizons.add(new Horizon(b.getLong(at), b.getLong(at + 8)));
        }
    }

    synchronized long firstDirty() {
        return firstDirty;
    }

    /** Changes at every truncation that lowers the first dirty offset: a pass begun before it commits nothing. */
    synchronized long generation() {
        return generation;
    }

    /**
     * Offsets below the returned one hold only tombstones first cleaned at least {@code retentionMs}
     * before {@code nowMs}: removable.
     */
    synchronized long tombstonesRemovableBelow(long nowMs, long retentionMs) {
        long below = -1;
        for (Horizon h : horizons) {
            if (nowMs - h.cleanedAtMs < retentionMs) {
                break;
            }
            below = h.upTo;
        }
        return below;
    }

    /** Whether tombstones became removable since the last pass (a pass is due even with nothing dirty). */
    synchronized boolean tombstonesDue(long nowMs, long retentionMs) {
        return tombstonesRemovableBelow(nowMs, retentionMs) > appliedRemovableBelow;
    }

    /**
     * A pass begun at {@code generation} cleaned every offset below {@code upTo} at {@code nowMs}, and
     * removed tombstones below {@code removedBelow}. Written durably; ignored when a truncation came between.
     */
    synchronized void cleaned(long passGeneration, long upTo, long removedBelow, long nowMs) throws IOException {
        if (passGeneration != generation) {
            return;
        }
        appliedRemovableBelow = Math.max(appliedRemovableBelow, removedBelow);
        if (upTo > firstDirty) {
            firstDirty = upTo;
            horizons.add(new Horizon(upTo, nowMs));
            while (horizons.size() > MAX_HORIZONS) {
                // Merge the two oldest at the later time: their tombstones wait as long as the younger's.
                Horizon younger = horizons.remove(1);
                horizons.set(0, new Horizon(younger.upTo, younger.cleanedAtMs));
            }
        }
        write();
    }

    /** The log was cut at {@code offset}: nothing at or above it is clean any more. */
    synchronized void truncated(long offset) throws IOException {
        if (offset >= firstDirty) {
            return;
        }
        generation++;
        firstDirty = offset;
        List<Horizon> kept = new ArrayList<>();
        for (Horizon h : horizons) {
            if (h.upTo <= offset) {
                kept.add(h);
            } else {
                if (offset > 0 && (kept.isEmpty() || kept.get(kept.size() - 1).upTo < offset)) {
                    kept.add(new Horizon(offset, h.cleanedAtMs)); // below the cut, cleaned when it said
                }
                break;
            }
        }
        horizons.clear();
        horizons.addAll(kept);
        appliedRemovableBelow = Math.min(appliedRemovableBelow, offset);
        write();
    }

    private void write() throws IOException {
        int n = horizons.size();
        ByteBuffer b = ByteBuffer.allocate(ENTRIES_OFFSET + n * ENTRY_LENGTH + CRC_LENGTH);
        b.putInt(MAGIC_OFFSET, MAGIC).putInt(VERSION_OFFSET, VERSION).putLong(FIRST_DIRTY_OFFSET, firstDirty)
                .putInt(COUNT_OFFSET, n);
        for (int i = 0; i < n; i++) {
            int at = ENTRIES_OFFSET + i * ENTRY_LENGTH;
            b.putLong(at, horizons.get(i).upTo).putLong(at + 8, horizons.get(i).cleanedAtMs);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(b.limit() - CRC_LENGTH));
        b.putInt(b.limit() - CRC_LENGTH, (int) crc.getValue());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long at = 0;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
            ch.force(true);
        }
        io.moveAtomically(tmp, file);
        io.syncDirectory(file.getParent());
    }
}
