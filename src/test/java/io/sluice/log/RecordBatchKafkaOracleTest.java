package io.sluice.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own client library is the oracle for the batch format: what we write, it reads (CRC
 * included), and what it writes, we read — the same bytes both ways, over random records.
 */
class RecordBatchKafkaOracleTest {
    private static final long SEED = 20261125L;

    @Test
    void ourBatchesAreByteIdenticalToKafkasAndDecodeWithMemoryRecords() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        for (int round = 0; round < 300; round++) {
            List<Record> records = randomRecords(random, 1 + random.nextInt(40));
            long baseOffset = random.nextInt(1_000_000);
            ByteBuffer ours = RecordBatchBuilder.build(baseOffset, -1, records);

            MemoryRecords kafka = MemoryRecords.withRecords(RecordBatchDescriptor.MAGIC, baseOffset, Compression.NONE,
                    TimestampType.CREATE_TIME, -1L, (short) -1, -1, -1, false, toKafka(records));
            assertEquals(kafka.buffer(), ours.duplicate(), "round " + round + ": bytes differ from Kafka's");

            MemoryRecords readByKafka = MemoryRecords.readableRecords(ours.duplicate());
            Iterator<MutableRecordBatch> batches = readByKafka.batches().iterator();
            MutableRecordBatch batch = batches.next();
            batch.ensureValid();
            assertEquals(baseOffset, batch.baseOffset());
            assertEquals(baseOffset + records.size() - 1, batch.lastOffset());
            int i = 0;
            for (org.apache.kafka.common.record.internal.Record r : batch) {
                Record expected = records.get(i++);
                assertEquals(expected.timestamp(), r.timestamp());
                assertArrayEquals(expected.key(), bytes(r.key()));
                assertArrayEquals(expected.value(), bytes(r.value()));
                assertEquals(expected.headers().size(), r.headers().length);
            }
            assertEquals(records.size(), i);
        }
    }

    @Test
    void weReadBatchesBuiltByKafka() {
        Random random = new Random(SEED + 1);
        for (int round = 0; round < 300; round++) {
            List<Record> records = randomRecords(random, 1 + random.nextInt(40));
            long baseOffset = random.nextInt(1_000_000);
            MemoryRecords kafka = MemoryRecords.withRecords(RecordBatchDescriptor.MAGIC, baseOffset, Compression.NONE,
                    TimestampType.CREATE_TIME, -1L, (short) -1, -1, 7, false, toKafka(records));
            RecordBatch ours = new RecordBatch(kafka.buffer(), 0);
            ours.validate("kafka round " + round);
            assertEquals(kafka.batches().iterator().next().checksum(), ours.storedCrc());
            assertEquals(7, ours.partitionLeaderEpoch());
            List<LogRecord> decoded = new ArrayList<>();
            ours.forEachRecord(0, Integer.MAX_VALUE, decoded::add);
            assertEquals(records.size(), decoded.size());
            for (int i = 0; i < records.size(); i++) {
                LogRecord got = decoded.get(i);
                Record expected = records.get(i);
                assertEquals(baseOffset + i, got.offset());
                assertEquals(expected.timestamp(), got.timestamp());
                assertArrayEquals(expected.key(), got.key());
                assertArrayEquals(expected.value(), got.value());
                assertEquals(expected.headers(), got.headers());
            }
        }
    }

    @Test
    void stampingTheBaseOffsetKeepsTheCrcValid() {
        ByteBuffer batch = RecordBatchBuilder.build(List.of(new Record(null, "v".getBytes(), 5, List.of())));
        RecordBatch b = new RecordBatch(batch, 0);
        b.setBaseOffset(123_456);
        b.setPartitionLeaderEpoch(9);
        b.validate("stamped");
        MemoryRecords.readableRecords(batch.duplicate()).batches().iterator().next().ensureValid();
    }

    @Test
    void everyFlippedByteUnderTheCrcIsDetected() {
        Random random = new Random(SEED + 2);
        ByteBuffer clean = RecordBatchBuilder.build(randomRecords(random, 10));
        for (int position = RecordBatchDescriptor.MAGIC_OFFSET; position < clean.limit(); position++) {
            ByteBuffer copy = ByteBuffer.allocate(clean.limit()).put(clean.duplicate()).flip();
            copy.put(position, (byte) (copy.get(position) ^ (1 << random.nextInt(8))));
            RecordBatch b = new RecordBatch(copy, 0);
            int at = position;
            assertThrows(CorruptRecordException.class, () -> b.validate("flip at " + at), "flip at " + at);
        }
    }

    @Test
    void aBatchThatClaimsMoreBytesThanItHasIsCorrupt() {
        ByteBuffer batch = RecordBatchBuilder.build(List.of(new Record(null, new byte[100], 1, List.of())));
        ByteBuffer torn = batch.duplicate().limit(batch.limit() - 10).slice();
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> new RecordBatch(torn, 0).validate("torn"));
        assertTrue(e.getMessage().contains("torn"), e.getMessage());
    }

    static List<Record> randomRecords(Random random, int count) {
        List<Record> records = new ArrayList<>();
        long base = 1_700_000_000_000L + random.nextInt(1_000_000);
        for (int i = 0; i < count; i++) {
            byte[] key = random.nextInt(4) == 0 ? null : randomBytes(random, random.nextInt(40));
            byte[] value = random.nextInt(10) == 0 ? null : randomBytes(random, random.nextInt(random.nextBoolean() ? 30 : 3000));
            List<Header> headers = new ArrayList<>();
            for (int h = random.nextInt(4); h > 0; h--) {
                headers.add(new Header("h" + random.nextInt(100) + "é", random.nextInt(5) == 0 ? null
                        : ("v" + random.nextInt()).getBytes(StandardCharsets.UTF_8)));
            }
            records.add(new Record(key, value, base + random.nextInt(20_000) - 10_000, headers));
        }
        return records;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static SimpleRecord[] toKafka(List<Record> records) {
        SimpleRecord[] out = new SimpleRecord[records.size()];
        for (int i = 0; i < out.length; i++) {
            Record r = records.get(i);
            org.apache.kafka.common.header.Header[] headers = r.headers().stream()
                    .map(h -> new RecordHeader(h.key(), h.value()))
                    .toArray(org.apache.kafka.common.header.Header[]::new);
            out[i] = new SimpleRecord(r.timestamp(), r.key(), r.value(), headers);
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
