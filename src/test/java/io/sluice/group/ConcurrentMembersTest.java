package io.sluice.group;

import static io.sluice.group.GroupCoordinatorTest.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Members on their own threads heartbeat, commit, leave and rejoin at once, while another thread
 * describes and lists. Each member claims a partition in a shared map when a reply hands it over
 * and releases it before the heartbeat that says it has let go: a claim that finds another owner
 * is a partition read by two members at once.
 */
class ConcurrentMembersTest {
    private static final String G = "busy";
    private static final long SEED = 77L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RebalanceProtocol.class)
    void membersOnManyThreadsNeverShareAPartitionAndTheirCommitsAreAccepted(RebalanceProtocol protocol)
            throws Exception {
        System.out.println("seed=" + SEED);
        try (GroupHarness h = new GroupHarness(dir)) {
            h.catalog.topic("t", 6).topic("u", 10);
            h.coordinate(G);
            Map<TopicPartition, String> claims = new ConcurrentHashMap<>();
            Queue<String> violations = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            List<SimMember> members = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                SimMember m = new SimMember(G, List.of("t", "u"), AssignmentStrategy.STICKY, protocol, 10_000);
                members.add(m);
                Random random = new Random(SEED + i);
                String tag = "thread-" + i;
                threads.add(new Thread(() -> runMember(h, m, tag, random, claims, violations), tag));
            }
            Thread observer = new Thread(() -> {
                for (int i = 0; i < 300; i++) {
                    h.coordinator.list();
                    h.coordinator.rebalanceStats();
                    try {
                        h.coordinator.describe(G);
                    } catch (SluiceException e) {
                        if (e.code() != ErrorCode.GROUP_NOT_FOUND) { // before the first join, or all left
                            violations.add("describe: " + e.getMessage());
                        }
                    }
                }
            });
            threads.forEach(Thread::start);
            observer.start();
            for (Thread t : threads) {
                t.join();
            }
            observer.join();
            assertEquals(List.of(), List.copyOf(violations));
            settle(h.coordinator, members.toArray(SimMember[]::new));
            Set<TopicPartition> owned = new HashSet<>();
            members.forEach(m -> m.owned.forEach(tp -> assertTrue(owned.add(tp), tp + " owned twice")));
            assertEquals(16, owned.size());
        }
    }

    private static void runMember(GroupHarness h, SimMember m, String tag, Random random,
            Map<TopicPartition, String> claims, Queue<String> violations) {
        for (int i = 0; i < 400; i++) {
            try {
                if (m.id != null && random.nextInt(40) == 0) {
                    release(m, m.owned, tag, claims, violations);
                    m.leave(h.coordinator);
                    continue;
                }
                if (m.id != null && !m.owned.isEmpty() && random.nextInt(3) == 0) {
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    m.owned.forEach(tp -> offsets.put(tp, (long) random.nextInt(1000)));
                    h.coordinator.commit(new OffsetCommit(G, m.id, m.epoch, offsets, "")).join();
                }
                HeartbeatReply reply = h.coordinator.heartbeat(m.heartbeatRequest()).join();
                Set<TopicPartition> dropped = new HashSet<>(m.owned);
                dropped.removeAll(reply.assignment());
                release(m, dropped, tag, claims, violations); // stops reading before it says so
                for (TopicPartition tp : reply.assignment()) {
                    String other = claims.putIfAbsent(tp, tag);
                    if (other != null && !other.equals(tag)) {
                        violations.add(tp + " handed to " + tag + " while " + other + " reads it");
                    }
                }
                m.obey(reply);
            } catch (CompletionException e) {
                violations.add(tag + ": " + e.getCause().getMessage()); // nobody expires: nothing may fail
                release(m, m.owned, tag, claims, violations);
                m.reset();
            }
        }
    }

    private static void release(SimMember m, Set<TopicPartition> partitions, String tag,
            Map<TopicPartition, String> claims, Queue<String> violations) {
        for (TopicPartition tp : Set.copyOf(partitions)) {
            if (!claims.remove(tp, tag)) {
                violations.add(tag + " released " + tp + " it had not claimed");
            }
        }
    }
}
