package io.sluice.log;

import static io.sluice.log.LogFixture.batch;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only committed records go to the tier: a roll under a high watermark set from outside (a
 * replicated partition) does not hand the closed segment over while it holds records above the
 * high watermark; {@link PartitionLog#closedSegments()} lists it once the watermark passed it. A
 * log with the automatic watermark hands each segment over at its roll, as before.
 */
class TieringBelowHighWatermarkTest {
    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<ClosedSegment> handedOver = new CopyOnWriteArrayList<>();
    private PartitionLog log;

    @AfterEach
    void tearDown() {
        if (log != null) {
            log.close();
        }
        pool.shutdownNow();
    }

    private PartitionLog open(Path at) throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withRemoteStorage(true,
                LogConfig.USE_TOTAL_RETENTION, LogConfig.USE_TOTAL_RETENTION);
        SegmentTiering recording = new SegmentTiering() {
            @Override
            public void onSegmentClosed(ClosedSegment segment) {
                handedOver.add(segment);
            }

            @Override
            public boolean isUploaded(long baseOffset, long nextOffset) {
                return false;
            }
        };
        return PartitionLog.open("t-0", at, config, LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, false),
                recording, 0);
    }

    private void appendTriples(int count) {
        for (int i = 0; i < count; i++) {
            log.appendAsLeader(batch("a" + i, "b" + i, "c" + i), 0).join();
        }
    }

    @Test
    void aRollAboveAManagedHighWatermarkHandsNothingOverUntilTheWatermarkPassesTheSegment() throws IOException {
        log = open(dir.resolve("managed"));
        log.manageHighWatermark();
        appendTriples(40);
        assertTrue(log.segmentCount() > 2, "the appends rolled segments");
        assertTrue(handedOver.isEmpty(), "nothing committed, nothing for the tier: " + handedOver);
        assertTrue(log.closedSegments().isEmpty());

        long hw = 30;
        log.updateHighWatermark(hw);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.highWatermark() > 0);
        List<ClosedSegment> committed = log.closedSegments();
        committed.forEach(s -> assertTrue(s.nextOffset() <= log.highWatermark(), "above the watermark: " + s));
        assertTrue(handedOver.isEmpty());

        log.updateHighWatermark(log.durableEnd());
        await().atMost(Duration.ofSeconds(10)).until(() -> log.highWatermark() == log.durableEnd());
        assertEquals(log.segmentCount() - 1, log.closedSegments().size(), "every closed segment is committed now");
    }

    @Test
    void aLogWithTheAutomaticWatermarkHandsEachSegmentOverAtItsRoll() throws IOException {
        log = open(dir.resolve("automatic"));
        appendTriples(40);
        await().atMost(Duration.ofSeconds(10)).until(() -> handedOver.size() == log.segmentCount() - 1);
        assertFalse(handedOver.isEmpty());
        handedOver.forEach(s -> assertTrue(s.nextOffset() <= log.highWatermark()));
    }
}
