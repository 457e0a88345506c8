package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Header;
import io.sluice.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The produce path's limits, on a broker built directly: records per request, each partition's
 * budget of bytes in flight (an acks=0 flood is refused, not queued without bound), batch sizes
 * exactly as Kafka computes them, and the KIP-937 timestamp range. After every refusal the log end
 * offsets show that nothing of the refused request was written.
 */
class ProducerLimitsTest {
    private static final long SEED = 20_261_129L;

    @TempDir
    Path dataDir;

    private Broker broker;

    private Broker start(ProduceLimits limits) throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir).withProduceLimits(limits));
        return broker;
    }

    private static ProduceLimits limits(int maxRecords, long partitionInFlightBytes) {
        return new ProduceLimits(64L << 20, 64L << 20, maxRecords, partitionInFlightBytes);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ProduceRecord value(byte[] v, Long timestamp) {
        return new ProduceRecord(0, null, v, timestamp, List.of());
    }

    private long logEnd(String topic) {
        return broker.topic(topic).log(0).logEndOffset();
    }

    @Test
    void aRequestOverTheRecordLimitIsRefusedWhole() throws IOException {
        start(limits(100, 1 << 20)).createTopic("t", 1, 1, Map.of());
        List<ProduceRecord> records = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            records.add(value(new byte[] {(byte) i}, null));
        }
        SluiceException e = assertThrows(SluiceException.class, () -> broker.produce("t", records, Acks.ALL, null));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, e.code());
        assertEquals(0, logEnd("t"));
        assertEquals(100, broker.produce("t", records.subList(0, 100), Acks.ALL, null).join().size());
        assertEquals(100, logEnd("t"));
    }

    /**
     * acks=0 answers before the append, so a client looping on it used to queue batches without
     * bound behind the writer. Now each partition admits only its budget of bytes in flight: the
     * flood meets THROTTLED, and exactly the admitted requests are in the log.
     */
    @Test
    void anAcksZeroFloodIsThrottledAndARefusedRequestWritesNothing() throws IOException {
        long budget = 256 * 1024;
        start(limits(1000, budget)).createTopic("flood", 1, 1, Map.of());
        byte[] tenKib = new byte[10 * 1024];
        List<ProduceRecord> request = List.of(value(tenKib, null), value(tenKib, null), value(tenKib, null));
        int admitted = 0;
        int throttled = 0;
        for (int i = 0; i < 5_000; i++) {
            try {
                broker.produce("flood", request, Acks.NONE, null);
                admitted++;
            } catch (SluiceException e) {
                assertEquals(ErrorCode.THROTTLED, e.code(), e.getMessage());
                throttled++;
            }
        }
        assertTrue(throttled > 0, "a flood of 5000 x 30 KiB against a 256 KiB budget was never throttled");
        long expected = 3L * admitted;
        PartitionLog log = broker.topic("flood").log(0);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> log.logEndOffset() == expected);
        // Every reservation is given back once the writer is done, so the partition takes writes again.
        broker.produce("flood", request, Acks.ALL, null).join();
        assertEquals(expected + 3, log.logEndOffset());
        System.out.println("acks=0 flood: admitted " + admitted + ", throttled " + throttled);
    }

    /**
     * Kafka's rule: a batch, log overhead included, may be exactly max.message.bytes. Kafka's own
     * size functions are the oracle: a record whose batch is exactly the limit is taken (and is
     * then the whole segment), one byte more is RECORD_TOO_LARGE and writes nothing.
     */
    @Test
    void aBatchOfExactlyMaxMessageBytesIsTakenAndOneByteMoreIsNot() throws IOException {
        start(limits(1000, 64L << 20));
        Random random = new Random(SEED);
        System.out.println("ProducerLimitsTest boundary: seed " + SEED);
        long now = System.currentTimeMillis();
        int[] valueLengths = {0, 1, 60, 63, 64, 100, 8_000, 8_191, 8_192, 16_383, 16_384, 1_048_000};
        for (int c = 0; c < valueLengths.length; c++) {
            byte[] key = random.nextBoolean() ? null : new byte[random.nextInt(200)];
            List<Header> headers = new ArrayList<>();
            for (int h = random.nextInt(3); h > 0; h--) {
                headers.add(new Header("h-é-" + h, random.nextBoolean() ? null : new byte[random.nextInt(50)]));
            }
            int length = valueLengths[c];
            int max = kafkaBatchSize(List.of(simple(now, key, length, headers)));
            String topic = "boundary-" + c;
            broker.createTopic(topic, 1, 1, Map.of("max.message.bytes", Integer.toString(max)));
            ProduceRecord over = new ProduceRecord(0, key, new byte[length + 1], now, headers);
            SluiceException e = assertThrows(SluiceException.class,
                    () -> broker.produce(topic, List.of(over), Acks.ALL, null), "value " + (length + 1));
            assertEquals(ErrorCode.RECORD_TOO_LARGE, e.code());
            assertEquals(0, logEnd(topic));
            broker.produce(topic, List.of(new ProduceRecord(0, key, new byte[length], now, headers)), Acks.ALL, null)
                    .join();
            assertEquals(max, broker.topic(topic).log(0).sizeInBytes(), "one batch of exactly " + max + " bytes");
        }
    }

    /** Several records fill a batch to exactly the limit; one more starts a second batch. */
    @Test
    void recordsAreSplitIntoBatchesExactlyAtTheLimit() throws IOException {
        start(limits(1000, 64L << 20));
        long now = System.currentTimeMillis();
        List<SimpleRecord> kafka = new ArrayList<>();
        List<ProduceRecord> ours = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long ts = now - 1000 + i * 300; // deltas of both signs' varint widths
            kafka.add(simple(ts, null, 100 + i, List.of()));
            ours.add(new ProduceRecord(0, null, new byte[100 + i], ts, List.of()));
        }
        int max = kafkaBatchSize(kafka.subList(0, 6));
        broker.createTopic("split", 1, 1, Map.of("max.message.bytes", Integer.toString(max)));
        broker.produce("split", ours.subList(0, 6), Acks.ALL, null).join();
        assertEquals(max, broker.topic("split").log(0).sizeInBytes());
        broker.createTopic("split2", 1, 1, Map.of("max.message.bytes", Integer.toString(max)));
        broker.produce("split2", ours, Acks.ALL, null).join();
        assertEquals(7, logEnd("split2"));
        assertEquals(max + kafkaBatchSize(kafka.subList(6, 7)), broker.topic("split2").log(0).sizeInBytes(),
                "the seventh record in a batch of its own");
    }

    private static SimpleRecord simple(long timestamp, byte[] key, int valueLength, List<Header> headers) {
        org.apache.kafka.common.header.Header[] kafkaHeaders = headers.stream()
                .map(h -> new RecordHeader(h.key(), h.value())).toArray(org.apache.kafka.common.header.Header[]::new);
        return new SimpleRecord(timestamp, key, new byte[valueLength], kafkaHeaders);
    }

    private static int kafkaBatchSize(List<SimpleRecord> records) {
        return DefaultRecordBatch.sizeInBytes(records);
    }

    /** KIP-937: a timestamp past message.timestamp.after.max.ms (default one hour) ahead is refused. */
    @Test
    void timestampsOutsideTheTopicsRangeAreRefused() throws IOException {
        start(limits(1000, 64L << 20)).createTopic("ts", 1, 1, Map.of());
        broker.createTopic("ts-window", 1, 1, Map.of("message.timestamp.before.max.ms", "60000",
                "message.timestamp.after.max.ms", "0"));
        long now = System.currentTimeMillis();
        byte[] v = "v".getBytes(StandardCharsets.UTF_8);
        long farFuture = now + 10L * 365 * 24 * 3600 * 1000;
        List<ProduceRecord> withFuture = List.of(value(v, now), value(v, farFuture));
        SluiceException e = assertThrows(SluiceException.class, () -> broker.produce("ts", withFuture, Acks.ALL, null));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().startsWith("record 1: "), e.getMessage());
        assertTrue(e.getMessage().contains("message.timestamp.after.max.ms"), e.getMessage());
        assertEquals(0, logEnd("ts"));
        // Within the default hour ahead, and any time before: taken.
        broker.produce("ts", List.of(value(v, now + 30 * 60 * 1000), value(v, 0L)), Acks.ALL, null).join();
        assertEquals(2, logEnd("ts"));

        SluiceException old = assertThrows(SluiceException.class,
                () -> broker.produce("ts-window", List.of(value(v, now - 3_600_000)), Acks.ALL, null));
        assertTrue(old.getMessage().contains("message.timestamp.before.max.ms"), old.getMessage());
        SluiceException ahead = assertThrows(SluiceException.class,
                () -> broker.produce("ts-window", List.of(value(v, now + 60_000)), Acks.ALL, null));
        assertTrue(ahead.getMessage().contains("message.timestamp.after.max.ms"), ahead.getMessage());
        assertEquals(0, logEnd("ts-window"));
        broker.produce("ts-window", List.of(value(v, null), value(v, now - 1000)), Acks.ALL, null).join();
        assertEquals(2, logEnd("ts-window"));
    }

    @Test
    void timestampConfigsAreValidated() throws IOException {
        start(limits(1000, 64L << 20));
        for (String bad : new String[] {"-1", "soon", "1.5"}) {
            SluiceException e = assertThrows(SluiceException.class,
                    () -> broker.createTopic("bad", 1, 1, Map.of("message.timestamp.after.max.ms", bad)));
            assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        }
    }
}
