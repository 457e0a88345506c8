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
        assertTrue(samples > 3_500 && samples <= 4_001, "samples " + samples);
        assertTrue(Double.parseDouble(result.field("p50_ms")) < 50, "p50 " + result.field("p50_ms"));
    }

    private static Args args(String... pairs) {
        String[] argv = new String[pairs.length + 2];
        argv[0] = "--url";
        argv[1] = broker.url();
        System.arraycopy(pairs, 0, argv, 2, pairs.length);
        return Args.parse(argv, 0);
    }
}
