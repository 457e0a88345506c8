package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each Sluice command end to end against {@link FakeSluice}: it speaks the API and counts right. */
class LoadgenAgainstFakeTest {

    private static FakeSluice broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new FakeSluice();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void produceCountsOnlyTheMeasuredRecords() throws Exception {
        Result result = new ProduceThroughput().run(args("--topic", "p", "--batch", "100",
                "--warmup-records", "1000", "--records", "5000", "--inflight", "4"));

        assertEquals("5000", result.field("records"));
        assertEquals("true", result.field("complete"));
        assertEquals(6000, broker.size("p"));
    }

    @Test
    void consumeReadsTheWholeBacklogInOrder() throws Exception {
        new ProduceThroughput().run(args("--topic", "c", "--batch", "1000",
                "--warmup-records", "0", "--records", "20000", "--format", "string"));

        Result result = new ConsumeThroughput().run(args("--topic", "c", "--records", "20000", "--credits", "3000",
                "--format", "string"));

        assertEquals("20000", result.field("records"));
    }

    @Test
    void latencySamplesEveryMeasuredRecordAndLosesNone() throws Exception {
        Result result = new SluiceLatency().run(args("--topic", "l", "--rate", "2000",
                "--warmup-seconds", "1", "--seconds", "2", "--drain-seconds", "5"));

        assertEquals("0", result.field("lost"));
        assertEquals("0", result.field("send_failures"));
        long samples = Long.parseLong(result.field("samples"));
        // 2 s at 2,000/s; a late first tick in the window sends (and stamps) what it owes from before
        assertTrue(samples > 3_500 && samples <= 4_100, "samples " + samples);
        assertTrue(Double.parseDouble(result.field("p50_ms")) < 50, "p50 " + result.field("p50_ms"));
    }

    @Test
    void tierUploadReportsTheTieredBytesOfAProduceRun() throws Exception {
        Result result = new TierUpload().run(args("--topic", "u", "--batch", "1000", "--records", "5000",
                "--topic-config", "segment.bytes=16777216,local.retention.bytes=0"));

        assertEquals("true", result.field("complete"));
        assertEquals("5000", result.field("local_log_start_offset"));
        assertEquals(String.valueOf(5000 * 1368), result.field("tiered_bytes"));
        assertEquals("0.000", result.field("backlog_max_mib"));
    }

    @Test
    void tierFirstRecordFetchesSingleRecordsFromTheTieredRange() throws Exception {
        new ProduceThroughput().run(args("--topic", "f", "--batch", "1000",
                "--warmup-records", "0", "--records", "10000"));

        Result result = new TierFirstRecord().run(args("--topic", "f", "--samples", "3"));

        assertEquals("10000", result.field("tiered_end_offset"));
        assertTrue(Double.parseDouble(result.field("cached_p50_ms")) > 0);
    }

    @Test
    void catchupReadsTheRangeDenseAndInOrder() throws Exception {
        new ProduceThroughput().run(args("--topic", "r", "--batch", "1000",
                "--warmup-records", "0", "--records", "20000"));

        Result result = new CatchUpRead().run(args("--topic", "r", "--records", "20000", "--max-bytes", "1000000"));

        assertEquals("20000", result.field("records"));
        assertEquals("28", result.field("fetches")); // 731 values of 1,368 base64 characters reach 1,000,000
    }

    private static Args args(String... pairs) {
        String[] argv = new String[pairs.length + 2];
        argv[0] = "--url";
        argv[1] = broker.url();
        System.arraycopy(pairs, 0, argv, 2, pairs.length);
        return Args.parse(argv, 0);
    }
}
