package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.cluster.TopicPartition;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetsTopic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits right after a restart, for a new member of a group on every partition of
 * {@code __consumer_offsets}: those the restart found empty (led again at their old epoch, taken
 * over while the broker starts) and those with records (led again at a newer epoch). Each is
 * answered promptly, restart after restart.
 */
class OffsetsRestartCommitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private Broker broker;

    private Broker start() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir).withMaintenanceIntervalMs(200));
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** One group per offsets partition. */
    private static Map<Integer, String> groups() {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < OffsetsTopic.PARTITIONS; i++) {
            byPartition.putIfAbsent(GroupCoordinator.partitionFor("g" + i), "g" + i);
        }
        return byPartition;
    }

    @Test
    void commitsRightAfterARestartAreAnsweredOnEveryOffsetsPartition() throws Exception {
        start().createTopic("orders", 1, 1, Map.of());
        Map<Integer, String> groups = groups();
        // Half the offsets partitions get a commit before the restart; the others stay empty.
        for (Map.Entry<Integer, String> e : groups.entrySet()) {
            if (e.getKey() % 2 == 0) {
                MemberDriver m = new MemberDriver(e.getValue(), "orders");
                await().atMost(WAIT).until(() -> m.heartbeat(broker) && m.owned().size() == 1);
                broker.commitOffsets(new OffsetCommit(e.getValue(), m.memberId(), m.epoch(),
                        Map.of(new TopicPartition("orders", 0), 3L), "")).get(10, TimeUnit.SECONDS);
                m.leave(broker);
            }
        }
        broker.close();
        for (int round = 0; round < 3; round++) {
            start();
            List<String> stuck = new ArrayList<>();
            List<CompletableFuture<?>> commits = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Map.Entry<Integer, String> e : groups.entrySet()) {
                MemberDriver m = new MemberDriver(e.getValue(), "orders");
                await().atMost(WAIT).until(() -> m.heartbeat(broker) && m.owned().size() == 1);
                commits.add(broker.commitOffsets(new OffsetCommit(e.getValue(), m.memberId(), m.epoch(),
                        Map.of(new TopicPartition("orders", 0), 10L + round), "")));
                names.add(e.getKey() + ":" + e.getValue());
            }
            for (int i = 0; i < commits.size(); i++) {
                try {
                    commits.get(i).get(5, TimeUnit.SECONDS);
                } catch (Exception ex) {
                    stuck.add(names.get(i) + " " + ex);
                }
            }
            assertEquals(List.of(), stuck, "round " + round);
            broker.close();
            broker = null;
        }
    }
}
