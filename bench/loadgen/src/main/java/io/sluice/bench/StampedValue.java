package io.sluice.bench;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The layout of a latency probe's value: the producer's {@link System#nanoTime()} when the
 * record was due, big-endian in bytes 0-7, then padding up to the record size. Producer and
 * consumer live in the same JVM, so the two clocks are one.
 *
 * <pre>
 *  0               8 9
 * +---------------+-+---------------------------+
 * | STAMP (8)     |0| letters up to record size  |
 * +---------------+-+---------------------------+
 * </pre>
 *
 * Base64 turns every 3 bytes into 4 characters, so bytes 0-8 are exactly characters 0-11 of the
 * encoded value: the stamp is written and read in the encoded JSON without touching the rest.
 */
final class StampedValue {

    static final int STAMP_OFFSET = 0;
    static final int STAMP_LENGTH = Long.BYTES;
    /** The stamp plus one zero byte: a whole number of base64 groups. */
    static final int ENCODED_PREFIX_BYTES = 9;
    static final int ENCODED_PREFIX_CHARS = 12;

    private StampedValue() {
    }

    /** A value of {@code size} bytes with a zero stamp; {@code size} must hold the encoded prefix. */
    static byte[] template(int size) {
        if (size < ENCODED_PREFIX_BYTES) {
            throw new IllegalArgumentException("record size must be at least " + ENCODED_PREFIX_BYTES + ": " + size);
        }
        byte[] value = ProduceBody.letters(size, 2);
        for (int i = 0; i < ENCODED_PREFIX_BYTES; i++) {
            value[i] = 0;
        }
        return value;
    }

    static void stamp(byte[] value, long nanos) {
        ByteBuffer.wrap(value, STAMP_OFFSET, STAMP_LENGTH).putLong(nanos);
    }

    static long read(byte[] value) {
        return ByteBuffer.wrap(value, STAMP_OFFSET, STAMP_LENGTH).getLong();
    }

    /** Writes the stamp into base64 text in place: {@code encoded[at..at+12)} are the first characters. */
    static void stampBase64(byte[] encoded, int at, long nanos) {
        byte[] prefix = new byte[ENCODED_PREFIX_BYTES];
        ByteBuffer.wrap(prefix).putLong(nanos);
        byte[] chars = Base64.getEncoder().encode(prefix);
        System.arraycopy(chars, 0, encoded, at, ENCODED_PREFIX_CHARS);
    }

    /** Reads the stamp from the first characters of a base64-encoded value, {@code chars[offset..offset+length)}. */
    static long readBase64(char[] chars, int offset, int length) {
        if (length < ENCODED_PREFIX_CHARS) {
            throw new IllegalArgumentException("value too short for a stamp: " + length + " chars");
        }
        byte[] ascii = new byte[ENCODED_PREFIX_CHARS];
        for (int i = 0; i < ENCODED_PREFIX_CHARS; i++) {
            ascii[i] = (byte) chars[offset + i];
        }
        return ByteBuffer.wrap(Base64.getDecoder().decode(ascii)).getLong();
    }
}
