package io.sluice.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's map from a key to the offset of its latest record, in a fixed amount of memory
 * (Kafka's {@code SkimpyOffsetMap}): a key is stored as its 16-byte MD5 digest, not its bytes, in an
 * open-addressing table of {@value #ENTRY_BYTES}-byte slots filled to at most {@value #LOAD_FACTOR}.
 * When it is full, {@link #put} says so and the cleaner maps no further: records past that point stay
 * dirty until the next pass. Two keys whose digests collide would share an entry; at 128 bits that is
 * not a risk worth a byte more per key (Kafka takes the same bet).
 *
 * <p>One thread at a time (the cleaner's); reused across passes ({@link #clear}).
 */
public final class OffsetMap {
    /** Digest (two longs) and offset. */
    static final int ENTRY_BYTES = 24;
    static final double LOAD_FACTOR = 0.9;
    private static final long EMPTY = -1;

    private final long[] digestHigh;
    private final long[] digestLow;
    private final long[] offsets;
    private final int maxEntries;
    private final MessageDigest md5;
    private int size;

    /** A map in at most {@code memoryBytes} (at least one entry's worth). */
    public OffsetMap(long memoryBytes) {
        long slots = Math.max(2, Math.min(memoryBytes / ENTRY_BYTES, Integer.MAX_VALUE - 8));
        digestHigh = new long[(int) slots];
        digestLow = new long[(int) slots];
        offsets = new long[(int) slots];
        Arrays.fill(offsets, EMPTY);
        maxEntries = (int) Math.max(1, slots * LOAD_FACTOR);
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    /**
     * Records that {@code key}'s latest record is at {@code offset} (offsets are put in increasing
     * order). Returns false, changing nothing, when the key is new and the map is full.
     */
    public boolean put(byte[] key, long offset) {
        byte[] d = md5.digest(key);
        long high = longAt(d, 0);
        long low = longAt(d, 8);
        int slot = find(high, low);
        if (offsets[slot] == EMPTY) {
            if (size >= maxEntries) {
                return false;
            }
            digestHigh[slot] = high;
            digestLow[slot] = low;
            size++;
        }
        offsets[slot] = offset;
        return true;
    }

    /** The offset of {@code key}'s latest record mapped, or -1 when the key is not in the map. */
    public long get(byte[] key) {
        byte[] d = md5.digest(key);
        return offsets[find(longAt(d, 0), longAt(d, 8))];
    }

    private int find(long high, long low) {
        int n = offsets.length;
        int slot = (int) Long.remainderUnsigned(high ^ (low >>> 7), n);
        while (offsets[slot] != EMPTY && (digestHigh[slot] != high || digestLow[slot] != low)) {
            slot = slot + 1 == n ? 0 : slot + 1;
        }
        return slot;
    }

    private static long longAt(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    public int size() {
        return size;
    }

    /** How many keys fit. */
    public int capacity() {
        return maxEntries;
    }

    public void clear() {
        Arrays.fill(offsets, EMPTY);
        size = 0;
    }
}
