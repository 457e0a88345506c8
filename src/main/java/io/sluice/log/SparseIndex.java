package io.sluice.log;

import static io.sluice.log.IndexFileDescriptor.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A sparse, sorted map from a key to a value, kept in memory and written to a file when asked: offset
 * to file position ({@link Kind#OFFSET}) or timestamp to offset ({@link Kind#TIME}). Lookups find the
 * last entry whose key is at or below a target.
 *
 * <p>The index holds no open file: its file is written by {@link #persist} (when its segment rolls,
 * at maintenance and at close), so a partition costs one descriptor, not three. The file is a cache:
 * recovery trusts only what loads cleanly and rebuilds the rest from the log.
 *
 * <p>Single writer, many readers: the writer fills a slot and then publishes the new entry count
 * (volatile), readers read the count first and then the slots below it.
 */
final class SparseIndex {
    enum Kind {
        OFFSET(".index", OFFSET_INDEX_MAGIC, OFFSET_ENTRY_LENGTH),
        TIME(".timeindex", TIME_INDEX_MAGIC, TIME_ENTRY_LENGTH);

        final String suffix;
        final int magic;
        final int entryLength;

        Kind(String suffix, int magic, int entryLength) {
            this.suffix = suffix;
            this.magic = magic;
            this.entryLength = entryLength;
        }
    }

    /** {@link #persisted} when the file must be written from scratch (absent, or not ours). */
    private static final int FILE_UNWRITTEN = -1;

    private final Kind kind;
    private final Path file;
    private final long baseOffset;
    private volatile long[] keys = new long[16];
    private volatile long[] values = new long[16];
    private volatile int entries;
    /** How many leading entries the file holds as they are in memory (writer thread only). */
    private int persisted = FILE_UNWRITTEN;

    private SparseIndex(Kind kind, Path file, long baseOffset) {
        this.kind = kind;
        this.file = file;
        this.baseOffset = baseOffset;
    }

    static Path path(Path dir, long baseOffset, Kind kind) {
        return dir.resolve(LogSegment.fileStem(baseOffset) + kind.suffix);
    }

    /** An empty index whose file is written from scratch at the next {@link #persist}. */
    static SparseIndex empty(Path dir, long baseOffset, Kind kind) {
        return new SparseIndex(kind, path(dir, baseOffset, kind), baseOffset);
    }

    /**
     * Loads an existing index. Returns null when the file is missing or cannot be trusted (wrong
     * magic or version, ragged length, keys or values out of order, values past {@code valueLimit}):
     * the caller then rebuilds it from the log.
     */
    static SparseIndex load(StorageIo io, Path dir, long baseOffset, Kind kind, long valueLimit) throws IOException {
        Path file = path(dir, baseOffset, kind);
        if (!Files.exists(file)) {
            return null;
        }
        SparseIndex index = new SparseIndex(kind, file, baseOffset);
        try (FileChannel ch = io.open(file, StandardOpenOption.READ)) {
            return index.readEntries(ch, valueLimit) ? index : null;
        }
    }

    private boolean readEntries(FileChannel channel, long valueLimit) throws IOException {
        long size = channel.size();
        if (size < HEADER_LENGTH || (size - HEADER_LENGTH) % kind.entryLength != 0
                || size - HEADER_LENGTH > (long) Integer.MAX_VALUE) {
            return false;
        }
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
            // keep reading until full
        }
        if (all.hasRemaining() || all.getInt(MAGIC_OFFSET) != kind.magic
                || all.getInt(VERSION_OFFSET) != CURRENT_VERSION) {
            return false;
        }
        int n = (int) ((size - HEADER_LENGTH) / kind.entryLength);
        long[] k = new long[Math.max(16, n)];
        long[] v = new long[Math.max(16, n)];
        for (int i = 0; i < n; i++) {
            int at = HEADER_LENGTH + i * kind.entryLength;
            if (kind == Kind.OFFSET) {
                k[i] = baseOffset + all.getInt(at + OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET);
                v[i] = all.getInt(at + OFFSET_ENTRY_POSITION_OFFSET);
            } else {
                k[i] = all.getLong(at + TIME_ENTRY_TIMESTAMP_OFFSET);
                v[i] = baseOffset + all.getInt(at + TIME_ENTRY_RELATIVE_OFFSET_OFFSET);
            }
            boolean ordered = i == 0 || (k[i] > k[i - 1] && v[i] > v[i - 1]);
            if (!ordered || v[i] < (kind == Kind.OFFSET ? 0 : baseOffset) || v[i] >= valueLimit) {
                return false;
            }
        }
        keys = k;
        values = v;
        entries = n;
        persisted = n;
        return true;
    }

    /** Appends an entry in memory; keys and values must both grow strictly (writer thread only). */
    void append(long key, long value) {
        int n = entries;
        if (n > 0 && (key <= keys[n - 1] || value <= values[n - 1])) {
            throw new IllegalStateException("index " + file + " entry out of order: key=" + key + " value=" + value
                    + " after key=" + keys[n - 1] + " value=" + values[n - 1]);
        }
        relative(kind == Kind.OFFSET ? key : value); // fails now, not when the file is written
        if (n == keys.length) {
            values = Arrays.copyOf(values, n * 2);
            keys = Arrays.copyOf(keys, n * 2);
        }
        keys[n] = key;
        values[n] = value;
        entries = n + 1;
    }

    private int relative(long offset) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalStateException("offset=" + offset + " does not fit segment base=" + baseOffset);
        }
        return (int) rel;
    }

    /** Position of the last entry with key at or below {@code target}, or -1. */
    int floorSlot(long target) {
        int n = entries;
        long[] k = keys;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (k[mid] <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    int entries() {
        return entries;
    }

    long keyAt(int slot) {
        return keys[slot];
    }

    long valueAt(int slot) {
        return values[slot];
    }

    /** Drops entries from {@code slot} on (writer thread only); the file follows at the next persist. */
    void truncateToSlot(int slot) {
        if (slot < entries) {
            entries = slot;
            persisted = Math.min(persisted, slot);
        }
    }

    /** Drops every entry whose value is at or above {@code valueLimit}. */
    void truncateValuesFrom(long valueLimit) {
        int slot = entries;
        while (slot > 0 && values[slot - 1] >= valueLimit) {
            slot--;
        }
        truncateToSlot(slot);
    }

    /**
     * Brings the file up to the entries in memory, writing only what it lacks, and fsyncs it when
     * {@code fsync}. Opens and closes the file: no descriptor is held between calls. Writer thread only.
     */
    void persist(StorageIo io, boolean fsync) throws IOException {
        int n = entries;
        if (persisted == n && !fsync) {
            return;
        }
        boolean fresh = persisted == FILE_UNWRITTEN;
        try (FileChannel ch = fresh
                ? io.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                : io.open(file, StandardOpenOption.WRITE)) {
            int from = fresh ? 0 : persisted;
            ByteBuffer out = ByteBuffer.allocate((fresh ? HEADER_LENGTH : 0) + (n - from) * kind.entryLength);
            if (fresh) {
                out.putInt(MAGIC_OFFSET, kind.magic).putInt(VERSION_OFFSET, CURRENT_VERSION).position(HEADER_LENGTH);
            } else {
                ch.truncate(HEADER_LENGTH + (long) from * kind.entryLength);
            }
            for (int i = from; i < n; i++) {
                writeEntry(out, keys[i], values[i]);
            }
            out.flip();
            long position = fresh ? 0 : HEADER_LENGTH + (long) from * kind.entryLength;
            while (out.hasRemaining()) {
                position += ch.write(out, position);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        persisted = n;
    }

    /**
     * Writes every entry to {@code target} from scratch and fsyncs it: the index of a cleaned segment,
     * written beside it before the swap renames it to {@link #file()}, which it then matches.
     */
    void writeWhole(StorageIo io, Path target) throws IOException {
        int n = entries;
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + n * kind.entryLength);
        out.putInt(MAGIC_OFFSET, kind.magic).putInt(VERSION_OFFSET, CURRENT_VERSION).position(HEADER_LENGTH);
        for (int i = 0; i < n; i++) {
            writeEntry(out, keys[i], values[i]);
        }
        out.flip();
        try (FileChannel ch = io.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long position = 0;
            while (out.hasRemaining()) {
                position += ch.write(out, position);
            }
            ch.force(true);
        }
        persisted = n;
    }

    private void writeEntry(ByteBuffer out, long key, long value) {
        int at = out.position();
        if (kind == Kind.OFFSET) {
            out.putInt(at + OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET, relative(key));
            out.putInt(at + OFFSET_ENTRY_POSITION_OFFSET, (int) value);
        } else {
            out.putLong(at + TIME_ENTRY_TIMESTAMP_OFFSET, key);
            out.putInt(at + TIME_ENTRY_RELATIVE_OFFSET_OFFSET, relative(value));
        }
        out.position(at + kind.entryLength);
    }

    Path file() {
        return file;
    }

    void unlink(StorageIo io) throws IOException {
        io.deleteIfExists(file);
    }
}
