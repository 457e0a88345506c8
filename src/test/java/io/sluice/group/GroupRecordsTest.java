package io.sluice.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;
import org.junit.jupiter.api.Test;

/** The commit record's bytes: layout, round trips, Kafka's encoding of the key, and hostile input. */
class GroupRecordsTest {
    private static final long SEED = 31L;
    private static final TopicPartition TP = new TopicPartition("orders", 7);

    @Test
    void keyAndValueHaveTheDocumentedLayout() {
        byte[] key = GroupRecords.encodeKey("g", TP);
        ByteBuffer k = ByteBuffer.wrap(key);
        assertEquals(1, k.getShort());
        assertEquals(1, k.getShort());
        assertEquals('g', k.get());
        assertEquals(6, k.getShort());
        k.position(k.position() + 6);
        assertEquals(7, k.getInt());
        assertFalse(k.hasRemaining());

        byte[] value = GroupRecords.encodeValue(new CommittedOffset(123, "é", 456));
        ByteBuffer v = ByteBuffer.wrap(value);
        assertEquals(1, v.getShort());
        assertEquals(123, v.getLong());
        assertEquals(2, v.getShort(), "metadata length counts UTF-8 bytes");
        v.position(v.position() + 2);
        assertEquals(456, v.getLong());
        assertFalse(v.hasRemaining());
    }

    @Test
    void theKeyIsKafkasOffsetCommitKey() {
        Schema schema = new Schema(new Field("group", Type.STRING), new Field("topic", Type.STRING),
                new Field("partition", Type.INT32));
        Struct struct = new Struct(schema).set("group", "grüppe").set("topic", "orders").set("partition", 7);
        ByteBuffer kafka = ByteBuffer.allocate(2 + struct.sizeOf());
        kafka.putShort((short) 1);
        struct.writeTo(kafka);
        assertArrayEquals(kafka.array(), GroupRecords.encodeKey("grüppe", TP));
    }

    @Test
    void roundTrips() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        for (int i = 0; i < 1_000; i++) {
            String group = randomString(random, 1 + random.nextInt(60));
            TopicPartition tp = new TopicPartition(randomString(random, 1 + random.nextInt(40)),
                    random.nextInt(Integer.MAX_VALUE));
            CommittedOffset offset = new CommittedOffset(random.nextLong() & Long.MAX_VALUE,
                    randomString(random, random.nextInt(100)), random.nextLong());
            assertEquals(new GroupRecords.OffsetKey(group, tp),
                    GroupRecords.decodeKey(GroupRecords.encodeKey(group, tp)));
            assertEquals(offset, GroupRecords.decodeValue(GroupRecords.encodeValue(offset)));
        }
    }

    @Test
    void unknownVersionsAreRefused() {
        byte[] key = GroupRecords.encodeKey("g", TP);
        key[1] = 2; // Kafka's group-metadata key
        assertFalse(GroupRecords.isOffsetCommitKey(key));
        assertCorrupt(key, true);
        byte[] value = GroupRecords.encodeValue(new CommittedOffset(1, "", 2));
        value[1] = 9;
        assertCorrupt(value, false);
        assertTrue(GroupRecords.isOffsetCommitKey(GroupRecords.encodeKey("g", TP)));
    }

    @Test
    void lyingLengthsAndTruncationsAreCorruptNeverAHugeAllocation() {
        byte[] key = GroupRecords.encodeKey("group", TP);
        ByteBuffer.wrap(key).putShort(GroupRecords.VERSION_LENGTH, Short.MAX_VALUE);
        assertCorrupt(key, true);
        byte[] negative = GroupRecords.encodeKey("group", TP);
        ByteBuffer.wrap(negative).putShort(GroupRecords.VERSION_LENGTH, (short) -1);
        assertCorrupt(negative, true);
        byte[] value = GroupRecords.encodeValue(new CommittedOffset(1, "meta", 2));
        ByteBuffer.wrap(value).putShort(GroupRecords.VERSION_LENGTH + GroupRecords.OFFSET_LENGTH, (short) 30_000);
        assertCorrupt(value, false);
        byte[] trailing = Arrays.copyOf(GroupRecords.encodeValue(new CommittedOffset(1, "", 2)), 40);
        assertCorrupt(trailing, false);
        assertCorrupt(new byte[0], true);
        assertCorrupt(null, false);
    }

    @Test
    void randomDamageDecodesOrIsCorrupt() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        byte[] key = GroupRecords.encodeKey("a-group", TP);
        byte[] value = GroupRecords.encodeValue(new CommittedOffset(99, "metadata", 5));
        for (int i = 0; i < 5_000; i++) {
            boolean isKey = random.nextBoolean();
            byte[] damaged = (isKey ? key : value).clone();
            if (random.nextBoolean()) {
                damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length + 4));
            }
            for (int flips = random.nextInt(3); flips >= 0 && damaged.length > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                if (isKey) {
                    GroupRecords.decodeKey(damaged);
                } else {
                    GroupRecords.decodeValue(damaged);
                }
            } catch (SluiceException e) {
                assertEquals(ErrorCode.CORRUPT_RECORD, e.code(), e.getMessage());
            }
        }
    }

    @Test
    void stringsTooLongForTheirLengthAreRefusedOnEncode() {
        SluiceException e = assertThrows(SluiceException.class,
                () -> GroupRecords.encodeValue(new CommittedOffset(1, "x".repeat(40_000), 1)));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    }

    private static void assertCorrupt(byte[] bytes, boolean isKey) {
        SluiceException e = assertThrows(SluiceException.class,
                () -> {
                    if (isKey) {
                        GroupRecords.decodeKey(bytes);
                    } else {
                        GroupRecords.decodeValue(bytes);
                    }
                });
        assertEquals(ErrorCode.CORRUPT_RECORD, e.code(), e.getMessage());
    }

    private static String randomString(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(random.nextInt(10) == 0 ? (char) (0x100 + random.nextInt(0x700)) : (char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }
}
