package io.sluice.log;

import java.nio.ByteBuffer;

/**
 * Zig-zag varints as Kafka's record format v2 uses them (protobuf's encoding): small magnitudes,
 * positive or negative, take few bytes.
 */
final class Varint {
    private Varint() {
    }

    static int sizeOfInt(int value) {
        return sizeOfUnsigned(((long) ((value << 1) ^ (value >> 31))) & 0xFFFFFFFFL);
    }

    static int sizeOfLong(long value) {
        return sizeOfUnsigned((value << 1) ^ (value >> 63));
    }

    private static int sizeOfUnsigned(long v) {
        int bytes = 1;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    static void writeInt(int value, ByteBuffer buffer) {
        writeUnsigned(((long) ((value << 1) ^ (value >> 31))) & 0xFFFFFFFFL, buffer);
    }

    static void writeLong(long value, ByteBuffer buffer) {
        writeUnsigned((value << 1) ^ (value >> 63), buffer);
    }

    private static void writeUnsigned(long v, ByteBuffer buffer) {
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L) {
            buffer.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.put((byte) v);
    }

    static int readInt(ByteBuffer buffer) {
        long raw = readUnsigned(buffer, 5);
        int v = (int) raw;
        return (v >>> 1) ^ -(v & 1);
    }

    static long readLong(ByteBuffer buffer) {
        long raw = readUnsigned(buffer, 10);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static long readUnsigned(ByteBuffer buffer, int maxBytes) {
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            byte b = buffer.get();
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than " + maxBytes + " bytes");
    }
}
