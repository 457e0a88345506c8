package io.sluice.log;

import static io.sluice.log.IndexFileDescriptor.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A sparse, sorted map from a key to a value, kept in memory and mirrored to an append-only file:
 * offset to file position ({@link Kind#OFFSET}) or timestamp to offset ({@link Kind#TIME}).
 * Lookups find the last entry whose key is at or below a target.
 *
 * <p>Single writer, many readers: the writer fills a slot and then publishes the new entry count
 * (volatile), readers read the count first and then the slots below it. The file is not fsynced
 * on every append: recovery rebuilds what it cannot trust.
 */
final class SparseIndex implements AutoCloseable {
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

    private final Kind kind;
    private final Path file;
    private final long baseOffset;
    private final FileChannel channel;
    private volatile long[] keys = new long[16];
    private volatile long[] values = new long[16];
    private volatile int entries;

    private SparseIndex(Kind kind, Path file, long baseOffset, FileChannel channel) {
        this.kind = kind;
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
    }

    static Path path(Path dir, long baseOffset, Kind kind) {
        return dir.resolve(LogSegment.fileStem(baseOffset) + kind.suffix);
    }

    /** Creates an empty index, replacing any file in the way. */
    static SparseIndex create(Path dir, long baseOffset, Kind kind) throws IOException {
        Path file = path(dir, baseOffset, kind);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        SparseIndex index = new SparseIndex(kind, file, baseOffset, ch);
        index.writeHeader();
        return index;
    }

    /**
     * Loads an existing index. Returns null when the file is missing or cannot be trusted (wrong
     * magic or version, ragged length, keys or values out of order, values past {@code valueLimit}):
     * the caller then rebuilds it from the log.
     */
    static SparseIndex load(Path dir, long baseOffset, Kind kind, long valueLimit) throws IOException {
        Path file = path(dir, baseOffset, kind);
        if (!Files.exists(file)) {
            return null;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        SparseIndex index = new SparseIndex(kind, file, baseOffset, ch);
        if (!index.readEntries(valueLimit)) {
            ch.close();
            return null;
        }
        return index;
    }

    private void writeHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        header.putInt(MAGIC_OFFSET, kind.magic).putInt(VERSION_OFFSET, CURRENT_VERSION);
        writeFully(header, 0);
    }

    private boolean readEntries(long valueLimit) throws IOException {
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
        return true;
    }

    /** Appends an entry; keys and values must both grow strictly (writer thread only). */
    void append(long key, long value) throws IOException {
        int n = entries;
        if (n > 0 && (key <= keys[n - 1] || value <= values[n - 1])) {
            throw new IllegalStateException("index " + file + " entry out of order: key=" + key + " value=" + value
                    + " after key=" + keys[n - 1] + " value=" + values[n - 1]);
        }
        ByteBuffer entry = ByteBuffer.allocate(kind.entryLength);
        if (kind == Kind.OFFSET) {
            entry.putInt(OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET, relative(key));
            entry.putInt(OFFSET_ENTRY_POSITION_OFFSET, (int) value);
        } else {
            entry.putLong(TIME_ENTRY_TIMESTAMP_OFFSET, key);
            entry.putInt(TIME_ENTRY_RELATIVE_OFFSET_OFFSET, relative(value));
        }
        writeFully(entry, HEADER_LENGTH + (long) n * kind.entryLength);
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

    /** Drops entries from {@code slot} on, in memory and on disk (writer thread only). */
    void truncateToSlot(int slot) throws IOException {
        if (slot < entries) {
            entries = slot;
            channel.truncate(HEADER_LENGTH + (long) slot * kind.entryLength);
        }
    }

    /** Drops every entry whose value is at or above {@code valueLimit}. */
    void truncateValuesFrom(long valueLimit) throws IOException {
        int slot = entries;
        while (slot > 0 && values[slot - 1] >= valueLimit) {
            slot--;
        }
        truncateToSlot(slot);
    }

    void flush() throws IOException {
        channel.force(true);
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file, e);
        }
    }

    void unlink() throws IOException {
        Files.deleteIfExists(file);
    }
}
