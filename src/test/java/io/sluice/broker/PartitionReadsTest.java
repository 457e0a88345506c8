package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api's way into partitions ({@link Broker#fetch}, {@link Broker#awaitData},
 * {@link Broker#partitionInfo}): values and futures only, failures as failed futures, waits that
 * end by data, by timeout or by cancelling and leave nothing behind in the log or the scheduler.
 */
class PartitionReadsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    private Broker broker;

    private Broker start() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void produce(String topic, int partition, int count) {
        List<ProduceRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProduceRecord(partition, null, ("v" + i).getBytes(StandardCharsets.UTF_8), null,
                    List.of()));
        }
        broker.produce(topic, records, Acks.ALL, null).join();
    }

    @Test
    void partitionInfoDescribesTheLocalLeaderAndItsOffsets() throws IOException {
        start().createTopic("info", 2, 1, Map.of());
        produce("info", 1, 5);
        PartitionInfo p = broker.partitionInfo("info", 1);
        int self = broker.config().brokerId();
        assertEquals("info", p.topic());
        assertEquals(1, p.partition());
        assertEquals(self, p.leader());
        assertEquals(0, p.leaderEpoch());
        assertEquals(List.of(self), p.replicas());
        assertEquals(List.of(self), p.isr());
        assertEquals(0, p.logStartOffset());
        assertEquals(0, p.localLogStartOffset());
        assertEquals(5, p.highWatermark());
        assertEquals(5, p.logEndOffset());
        assertEquals(1, p.segments());
        assertTrue(p.sizeBytes() > 0);
        assertEquals(0, p.tieredBytes());
        assertTrue(p.tierAvailable());
        assertEquals(0, p.waitingReaders());

        List<PartitionInfo> all = broker.partitionInfos("info");
        assertEquals(List.of(0, 1), all.stream().map(PartitionInfo::partition).toList());
        assertEquals(0, all.get(0).logEndOffset());
        assertCode(ErrorCode.TOPIC_NOT_FOUND, () -> broker.partitionInfos("ghost"));
        assertCode(ErrorCode.PARTITION_NOT_FOUND, () -> broker.partitionInfo("info", 2));
        assertCode(ErrorCode.PARTITION_NOT_FOUND, () -> broker.partitionInfo("info", -1));
    }

    @Test
    void aWaitEndsWhenDataArrivesOnTheFetchPool() throws Exception {
        start().createTopic("wake", 1, 1, Map.of());
        CompletableFuture<Void> wait = broker.awaitData("wake", 0, 0, 30_000);
        AtomicReference<String> thread = new AtomicReference<>();
        CompletableFuture<Void> seen = wait.thenRun(() -> thread.set(Thread.currentThread().getName()));
        await().atMost(WAIT).until(() -> broker.partitionInfo("wake", 0).waitingReaders() == 1);
        assertFalse(wait.isDone());
        produce("wake", 0, 1);
        seen.get(10, TimeUnit.SECONDS);
        // Not the partition's writer: a caller's continuation must not hold up the next group commit.
        assertTrue(thread.get().startsWith("sluice-fetch"), thread.get());
        await().atMost(WAIT).until(() -> broker.partitionInfo("wake", 0).waitingReaders() == 0);

        // Data already there: at once. At the end with a short timeout: normally, once it has passed.
        broker.awaitData("wake", 0, 0, 30_000).get(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        broker.awaitData("wake", 0, 1, 100).get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        await().atMost(WAIT).until(() -> broker.partitionInfo("wake", 0).waitingReaders() == 0);
    }

    /** A reader on its own serial executor over the fetch pool reads in its turn, not on a fresh pool task. */
    @Test
    void aReadRunsOnTheExecutorItIsGiven() throws IOException {
        start().createTopic("turn", 1, 1, Map.of());
        produce("turn", 0, 3);
        AtomicInteger handed = new AtomicInteger();
        Executor counting = task -> {
            handed.incrementAndGet();
            broker.fetchPool().execute(task);
        };
        FetchResult read = broker.fetch("turn", 0, 1, 10, 1 << 20, 0, counting).join();
        assertEquals(1, handed.get());
        assertEquals(List.of(1L, 2L), read.records().stream().map(r -> r.offset()).toList());
        assertEquals(3, read.nextOffset());
        assertEquals(3, read.highWatermark());
        assertEquals(0, read.logStartOffset());
    }

    @Test
    void badAddressesFailTheFutureAndAreNeverThrown() throws IOException {
        start().createTopic("addr", 1, 1, Map.of());
        assertFailed(ErrorCode.TOPIC_NOT_FOUND, broker.awaitData("ghost", 0, 0, 1_000));
        assertFailed(ErrorCode.PARTITION_NOT_FOUND, broker.awaitData("addr", 1, 0, 1_000));
        assertFailed(ErrorCode.TOPIC_NOT_FOUND, broker.fetch("ghost", 0, 0, 10, 1024, 0));
        assertFailed(ErrorCode.PARTITION_NOT_FOUND, broker.fetch("addr", 7, 0, 10, 1024, 1_000));
        assertFailed(ErrorCode.OFFSET_OUT_OF_RANGE, broker.fetch("addr", 0, 5, 10, 1024, 0));
    }

    /**
     * Readers wait and stop waiting far more often than a wait times out. Each cancelled wait must
     * leave the log's waiters and the scheduler's queue, or a busy reader piles up dead timers.
     */
    @Test
    void cancelledWaitsLeaveNothingBehind() throws IOException {
        start().createTopic("churn", 1, 1, Map.of());
        ScheduledThreadPoolExecutor timers = assertInstanceOf(ScheduledThreadPoolExecutor.class, broker.scheduler());
        int queuedBefore = timers.getQueue().size();
        for (int i = 0; i < 10_000; i++) {
            CompletableFuture<Void> wait = broker.awaitData("churn", 0, 0, 60_000);
            assertTrue(wait.cancel(false));
        }
        assertEquals(0, broker.partitionInfo("churn", 0).waitingReaders());
        assertTrue(timers.getQueue().size() <= queuedBefore + 1, "timers left queued: " + timers.getQueue().size());
    }

    /**
     * A closed log fires every wait at once, forever; a reader that waited on it again would spin.
     * Deletion wakes the waiter, and the next wait or read says the topic is gone.
     */
    @Test
    void aDeletedTopicWakesItsWaitersAndRefusesNewOnes() throws Exception {
        start().createTopic("doomed", 1, 1, Map.of());
        CompletableFuture<Void> wait = broker.awaitData("doomed", 0, 0, 60_000);
        CompletableFuture<FetchResult> poll = broker.fetch("doomed", 0, 0, 10, 1024, 60_000);
        await().atMost(WAIT).until(() -> broker.partitionInfo("doomed", 0).waitingReaders() == 2);
        broker.deleteTopic("doomed");
        wait.get(10, TimeUnit.SECONDS);
        poll.handle((read, error) -> null).get(10, TimeUnit.SECONDS); // answered, not held for its minute
        assertFailed(ErrorCode.TOPIC_NOT_FOUND, broker.awaitData("doomed", 0, 0, 60_000));
    }

    @Test
    void aWaitOnAClosedLogFailsInsteadOfFiringAtOnce() throws Exception {
        start().createTopic("closing", 1, 1, Map.of());
        broker.topic("closing").log(0).close();
        assertFailed(ErrorCode.STORAGE_ERROR, broker.awaitData("closing", 0, 0, 60_000));
    }

    private static void assertFailed(ErrorCode expected, CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        SluiceException cause = assertInstanceOf(SluiceException.class, e.getCause());
        assertEquals(expected, cause.code(), cause.getMessage());
    }

    private static void assertCode(ErrorCode expected, Runnable action) {
        SluiceException e = assertThrows(SluiceException.class, action::run);
        assertEquals(expected, e.code(), e.getMessage());
    }
}
