package io.sluice.tier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.BrokerConfig;
import io.sluice.broker.FetchResult;
import io.sluice.broker.Partition;
import io.sluice.broker.ProduceRecord;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRecord;
import io.sluice.log.OffsetIndexView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches of tiered offsets through a broker built directly, its tier on a real S3 protocol server
 * (S3Proxy): a small {@code maxBytes} still returns the whole batch that holds the offset, from
 * any offset (a batch start, mid-batch, a batch end, one the sparse index does not name), and a
 * long poll below the high watermark answers at once instead of waiting (or spinning).
 */
class TieredFetchTest {
    private static final long SEED = 20_261_129L;
    private static final int BATCH = 10;
    private static final int RECORDS = 2000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private EmbeddedS3 s3;
    private Tier tier;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        S3Settings settings = new S3Settings(Optional.empty(), "fetch-test", "c1", "us-east-1", Optional.empty(),
                Optional.empty()).withEndpoint(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
        tier = new Tier(S3ObjectStore.connect(settings, Duration.ofSeconds(10)), new TierLayout("c1"),
                System::currentTimeMillis, 4, 16 * 1024 * 1024, Duration.ofSeconds(5));
        LogConfig defaults = LogConfig.defaults().withRemoteStorage(true, LogConfig.USE_TOTAL_RETENTION,
                LogConfig.USE_TOTAL_RETENTION);
        broker = new Broker(new BrokerConfig(tmp.resolve("data"), 0, true, 2, 2, defaults, 100), tier);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
        tier.close();
        s3.close();
    }

    /**
     * Batches of {@link #BATCH} records (batch k holds offsets 10k..10k+9) in segments of 16 KiB:
     * about 18 batches a segment and an index entry every 4 KiB, so most batches are not indexed.
     */
    private Partition tieredTopic(String topic) {
        broker.createTopic(topic, 1, 1, Map.of("segment.bytes", "16384", "local.retention.bytes", "0"));
        for (int i = 0; i < RECORDS; i += BATCH) {
            List<ProduceRecord> batch = new ArrayList<>();
            for (int k = i; k < i + BATCH; k++) {
                batch.add(new ProduceRecord(0, null, ("value-" + k + "-" + "x".repeat(60))
                        .getBytes(StandardCharsets.UTF_8), null, List.of()));
            }
            broker.produce(topic, batch, Acks.ALL, null).join();
        }
        Partition p = broker.topic(topic).partition(0);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > 1000);
        assertEquals(0, p.logStartOffset());
        return p;
    }

    private static void assertWholeBatchFrom(long offset, FetchResult r, long highWatermark) {
        long batchEnd = offset / BATCH * BATCH + BATCH; // one past the last offset of the batch holding offset
        assertFalse(r.records().isEmpty(), "no records at offset " + offset);
        assertEquals(batchEnd - offset, r.records().size(), "maxBytes=1 returns exactly the rest of the batch at "
                + offset);
        long expected = offset;
        for (LogRecord rec : r.records()) {
            assertEquals(expected, rec.offset(), "dense, in order, from the asked offset");
            assertTrue(new String(rec.value(), StandardCharsets.UTF_8).startsWith("value-" + expected + "-"));
            assertTrue(rec.offset() < highWatermark, "never a record at or above the high watermark");
            expected++;
        }
        assertEquals(batchEnd, r.nextOffset());
    }

    @Test
    void aRemoteFetchWithMaxBytesOneReturnsTheWholeBatchHoldingTheOffset() {
        Partition p = tieredTopic("small-max-bytes");
        long remoteEnd = p.localLogStartOffset();
        long hw = p.highWatermark();
        Random rnd = new Random(SEED);
        System.out.println("TieredFetchTest: seed " + SEED);
        List<Long> offsets = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 15L, remoteEnd - 1));
        for (int i = 0; i < 40; i++) {
            offsets.add((long) rnd.nextInt((int) remoteEnd));
        }
        for (long offset : offsets) {
            FetchResult r = broker.fetch("small-max-bytes", 0, offset, 1000, 1, 0).join();
            assertWholeBatchFrom(offset, r, hw);
        }
        // Reading the whole tiered range one smallest fetch after another: every offset once.
        long next = 0;
        int fetches = 0;
        while (next < remoteEnd) {
            FetchResult r = broker.fetch("small-max-bytes", 0, next, 1000, 1, 0).join();
            assertWholeBatchFrom(next, r, hw);
            next = r.nextOffset();
            fetches++;
        }
        assertEquals(remoteEnd, next);
        assertEquals(remoteEnd / BATCH, fetches, "one batch per fetch");
    }

    @Test
    void aLongPollBelowTheHighWatermarkAnswersAtOnce() {
        Partition p = tieredTopic("long-poll");
        long hw = p.highWatermark();
        for (long offset : new long[] {0, 13, 507, p.localLogStartOffset() - 1, p.localLogStartOffset() + 3}) {
            long start = System.nanoTime();
            FetchResult r = broker.fetch("long-poll", 0, offset, 1000, 1, 30_000).orTimeout(10, TimeUnit.SECONDS).join();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertWholeBatchFrom(offset, r, hw);
            assertTrue(ms < 2_000, "a long poll at " + offset + " below the high watermark " + hw + " took " + ms + " ms");
        }
    }

    @Test
    void aLongPollAtTheHighWatermarkStillWaitsForTheNextAppend() {
        Partition p = tieredTopic("long-poll-at-end");
        long hw = p.highWatermark();
        var pending = broker.fetch("long-poll-at-end", 0, hw, 1000, 1, 30_000);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        broker.produce("long-poll-at-end", List.of(new ProduceRecord(0, null, "late".getBytes(StandardCharsets.UTF_8),
                null, List.of())), Acks.ALL, null).join();
        FetchResult r = pending.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(1, r.records().size());
        assertEquals(hw, r.records().get(0).offset());
    }

    @Test
    void aRemoteIndexIsParsedOnceAndCountedAtItsSize() {
        Partition p = tieredTopic("index-cache");
        RemoteSegment segment = p.remote().segments().iterator().next();
        RemoteReader reader = tier.reader();
        OffsetIndexView first = reader.index(p.remote(), segment).join();
        OffsetIndexView again = reader.index(p.remote(), segment).join();
        assertSame(first, again, "the parsed index is cached, not parsed per read");
        assertTrue(first.sizeInBytes() > 0);
    }
}
