package io.sluice.group;

import static io.sluice.group.GroupCoordinatorTest.codeOf;
import static io.sluice.group.GroupCoordinatorTest.settle;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed offsets in {@code __consumer_offsets}: restarts, takeovers, batching and retention. */
class CommittedOffsetsTest {
    private static final long SEED = 9L;
    private static final long RETENTION_MS = 60_000;
    private static final String G = "payments";

    @TempDir
    Path dir;
    private GroupHarness h;

    @BeforeEach
    void setUp() {
        h = new GroupHarness(dir, GroupSettings.defaults().withSessionTimeouts(10_000, 1_000, 60_000)
                .withOffsetsRetentionMs(RETENTION_MS));
        h.catalog.topic("t", 6);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private SimMember joined(String group) {
        SimMember m = new SimMember(group, "t", null, null);
        settle(h.coordinator, m);
        return m;
    }

    private static long offset(Map<TopicPartition, CommittedOffset> offsets, TopicPartition tp) {
        CommittedOffset c = offsets.get(tp);
        return c == null ? -1 : c.offset();
    }

    @Test
    void takeOverAfterARestartRestoresEveryCommittedOffset() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            groups.add("group-" + i);
        }
        h.coordinate(groups.toArray(String[]::new));
        Map<String, Map<TopicPartition, Long>> expected = new HashMap<>();
        for (String g : groups) {
            SimMember m = joined(g);
            for (int k = 0; k < 30; k++) {
                TopicPartition tp = new TopicPartition("t", random.nextInt(6));
                long offset = random.nextInt(1_000_000);
                h.coordinator.commit(m.commit(tp, offset)).join();
                expected.computeIfAbsent(g, x -> new HashMap<>()).put(tp, offset);
            }
            m.leave(h.coordinator);
        }
        h.coordinator.delete("group-3").join();
        expected.remove("group-3");
        h.coordinator.resetOffsets("group-4", Map.of(new TopicPartition("t", 0), 0L)).join();
        expected.get("group-4").put(new TopicPartition("t", 0), 0L);

        h.restart(groups.toArray(String[]::new));

        for (String g : groups) {
            Map<TopicPartition, Long> want = expected.getOrDefault(g, Map.of());
            Map<TopicPartition, Long> cached = new HashMap<>();
            h.cache.get(g).forEach((tp, c) -> cached.put(tp, c.offset()));
            assertEquals(want, cached, g + " in the cache after the takeover");
            if (want.isEmpty()) {
                assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(g)));
                continue;
            }
            for (PartitionLag lag : h.coordinator.describe(g).offsets()) {
                assertEquals((long) want.getOrDefault(new TopicPartition(lag.topic(), lag.partition()), -1L),
                        lag.committed(), g + " " + lag);
            }
            HeartbeatReply reply = new SimMember(g, "t", null, null).beat(h.coordinator);
            want.forEach((tp, offset) -> assertEquals(offset, offset(reply.committed(), tp), "a joining member of " + g));
        }
    }

    @Test
    void committedOffsetsNeverGoBackwardsAcrossGiveUpAndTakeOver() throws Exception {
        int partition = GroupCoordinator.partitionFor(G);
        h.coordinate(G);
        Map<TopicPartition, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean paused = new AtomicBoolean();
        AtomicBoolean parked = new AtomicBoolean();
        Thread committer = new Thread(() -> {
            SimMember m = new SimMember(G, "t", null, null);
            long next = 1;
            while (!stop.get()) {
                parked.set(paused.get());
                if (paused.get()) {
                    Thread.onSpinWait();
                    continue;
                }
                try {
                    if (m.id == null || m.owned.size() < 6) {
                        m.beat(h.coordinator);
                        continue;
                    }
                    long offset = next++;
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    m.owned.forEach(tp -> offsets.put(tp, offset));
                    h.coordinator.commit(new OffsetCommit(G, m.id, m.epoch, offsets, "")).join();
                    offsets.forEach(acked::put);
                } catch (CompletionException e) {
                    ErrorCode code = ((SluiceException) e.getCause()).code();
                    if (code == ErrorCode.UNKNOWN_MEMBER_ID) {
                        m.reset();
                    } else if (code != ErrorCode.NOT_COORDINATOR && code != ErrorCode.COORDINATOR_NOT_AVAILABLE) {
                        throw e;
                    }
                }
            }
        });
        committer.start();
        Map<TopicPartition, Long> seen = new HashMap<>();
        AtomicReference<CompletableFuture<Void>> heldAppends = new AtomicReference<>(new CompletableFuture<>());
        try {
            for (int cycle = 0; cycle < 12; cycle++) {
                long ackedBefore = minimum(acked);
                await().atMost(Duration.ofSeconds(30)).until(() -> minimum(acked) > ackedBefore + 3);
                if (cycle % 2 == 0) {
                    h.coordinator.giveUp(partition);
                    h.coordinator.takeOver(partition).join();
                } else {
                    // A commit in flight as the partition changes hands: the takeover replays only after
                    // it settled, so its acknowledgement is never lost by the state just loaded.
                    CompletableFuture<Void> gate = new CompletableFuture<>();
                    heldAppends.set(gate);
                    int appends = h.topic.holdAppends(gate); // the next append is the one held
                    await().atMost(Duration.ofSeconds(30)).until(() -> h.topic.appends.get() > appends);
                    paused.set(true);
                    h.coordinator.giveUp(partition);
                    CompletableFuture<Void> loading = h.coordinator.takeOver(partition);
                    try {
                        loading.get(200, TimeUnit.MILLISECONDS); // a takeover that did not wait would load now
                    } catch (TimeoutException expected) {
                        // it waits for the append in flight
                    }
                    h.topic.appendGate = CompletableFuture.completedFuture(null);
                    gate.complete(null);
                    loading.join();
                    await().atMost(Duration.ofSeconds(30)).until(parked::get);
                }
                // Every commit acknowledged so far, by either incarnation, is in the state loaded.
                Map<TopicPartition, Long> before = Map.copyOf(acked);
                Map<TopicPartition, Long> now = new HashMap<>();
                h.coordinator.describe(G).offsets()
                        .forEach(l -> now.put(new TopicPartition(l.topic(), l.partition()), l.committed()));
                paused.set(false);
                for (Map.Entry<TopicPartition, Long> e : before.entrySet()) {
                    long committed = now.getOrDefault(e.getKey(), -1L);
                    assertTrue(committed >= e.getValue(), "cycle " + cycle + ": " + e.getKey() + " committed "
                            + committed + " after acknowledging " + e.getValue());
                    assertTrue(committed >= seen.getOrDefault(e.getKey(), -1L), "went backwards: " + e.getKey());
                    seen.put(e.getKey(), committed);
                }
            }
        } finally {
            stop.set(true);
            paused.set(false);
            h.topic.appendGate = CompletableFuture.completedFuture(null);
            heldAppends.get().complete(null);
            committer.join();
        }
        h.restart(G);
        for (Map.Entry<TopicPartition, Long> e : acked.entrySet()) {
            assertTrue(offset(h.cache.get(G), e.getKey()) >= e.getValue(), "after a restart: " + e.getKey());
        }
    }

    private static long minimum(Map<TopicPartition, Long> acked) {
        return acked.size() < 6 ? -1 : acked.values().stream().mapToLong(Long::longValue).min().orElse(-1);
    }

    @Test
    void aCommitWhoseAppendIsNeverConfirmedFailsWithinItsBoundAndTheRetryIsWritten() {
        h.coordinator.close();
        h.writeTimeoutMs = 300;
        h.coordinator = h.newCoordinator();
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        h.topic.appendGate = gate; // the append is never confirmed until the gate opens
        long start = System.nanoTime();
        CompletionException stuck = assertThrows(CompletionException.class,
                () -> h.coordinator.commit(m.commit(tp, 5)).join());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ((SluiceException) stuck.getCause()).code());
        assertTrue(tookMs < 5_000, "failed after " + tookMs + " ms");
        h.topic.appendGate = CompletableFuture.completedFuture(null);
        gate.complete(null);
        assertEquals(7L, h.coordinator.commit(m.commit(tp, 7)).join().get(tp).offset(), "the member's retry");
        assertEquals(7, offset(h.cache.get(G), tp));
        h.restart(G);
        assertEquals(7, offset(h.cache.get(G), tp), "the late append landed before the retry, in order");
    }

    @Test
    void concurrentCommitsOfAPartitionGoOutAsOneAppendInOrder() {
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        h.topic.appendGate = gate;
        int before = h.topic.appends.get();
        List<CompletableFuture<Map<TopicPartition, CommittedOffset>>> commits = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            commits.add(h.coordinator.commit(m.commit(tp, i)));
        }
        assertEquals(before + 1, h.topic.appends.get(), "one append in flight, the rest queued");
        gate.complete(null);
        commits.forEach(CompletableFuture::join);
        assertEquals(before + 2, h.topic.appends.get(), "the queued commits went out together");
        assertEquals(20, offset(h.cache.get(G), tp), "the last commit wins");
        h.restart(G);
        assertEquals(20, offset(h.cache.get(G), tp));
    }

    @Test
    void queuedCommitsGoOutInAppendsOfBoundedSize() {
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        h.topic.appendGate = gate;
        String metadata = "m".repeat(GroupCoordinator.MAX_METADATA_BYTES);
        int before = h.topic.appends.get();
        List<CompletableFuture<Map<TopicPartition, CommittedOffset>>> commits = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            commits.add(h.coordinator.commit(new OffsetCommit(G, m.id, m.epoch, Map.of(tp, (long) i), metadata)));
        }
        gate.complete(null);
        commits.forEach(CompletableFuture::join);
        int appends = h.topic.appends.get() - before;
        int perAppend = AppendQueue.MAX_APPEND_BYTES / (metadata.length() + 40);
        assertTrue(appends >= 1 + 299 / perAppend && appends < 20, "appends: " + appends);
        assertEquals(300, offset(h.cache.get(G), tp));
        h.restart(G);
        assertEquals(300, offset(h.cache.get(G), tp));
    }

    @Test
    void theOffsetsOfAGroupEmptyPastRetentionExpire() {
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        h.coordinator.commit(m.commit(tp, 11)).join();
        m.leave(h.coordinator);
        h.advance(RETENTION_MS - 1);
        h.coordinator.sweep();
        assertEquals(11, offset(h.cache.get(G), tp));
        assertEquals(GroupState.EMPTY, h.coordinator.describe(G).state());
        h.advance(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> h.cache.get(G).isEmpty()); // the scheduled sweep
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(G)));
        List<OffsetsTopic.Entry> records = h.topic.entries(GroupCoordinator.partitionFor(G));
        assertNull(records.get(records.size() - 1).value(), "a tombstone");
        h.restart(G);
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(G)));
    }

    @Test
    void afterATakeoverRetentionCountsFromTheLatestCommit() {
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        h.coordinator.commit(m.commit(tp, 5)).join();
        h.advance(20_000);
        h.coordinator.commit(m.commit(tp, 6)).join();
        m.leave(h.coordinator);
        h.advance(30_000);
        h.restart(G);
        h.advance(RETENTION_MS - 30_000 - 1);
        h.coordinator.sweep();
        assertEquals(6, offset(h.cache.get(G), tp), "empty since the last commit, not since the restart");
        h.advance(1);
        h.coordinator.sweep();
        await().atMost(Duration.ofSeconds(30)).until(() -> h.cache.get(G).isEmpty());
    }

    @Test
    void aGroupWithMembersKeepsItsOffsetsPastRetention() {
        h.coordinate(G);
        SimMember m = joined(G);
        TopicPartition tp = m.owned.iterator().next();
        h.coordinator.commit(m.commit(tp, 5)).join();
        for (int i = 0; i < 20; i++) {
            h.advance(5_000);
            m.beat(h.coordinator);
            h.coordinator.sweep();
        }
        assertEquals(5, offset(h.cache.get(G), tp));
        assertFalse(h.coordinator.describe(G).members().isEmpty());
    }
}
