package io.sluice.operator.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.TopicDescription;
import io.sluice.operator.roll.ScaleInCheck;
import io.sluice.operator.roll.ScaleOut;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Scale-out against real brokers: three brokers hold a topic, a fourth joins, and {@link ScaleOut}
 * moves a share of every topic's replicas onto it with the brokers' own reassignment, until each
 * broker holds the same number and every ISR is whole. Scaling back in is refused while the fourth
 * broker holds replicas.
 */
class ScaleOutIT {
    private static final String TOPIC = "spread";
    private static TestCluster cluster;
    private static BrokerAdmin admin;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start("ScaleOutIT", 31, 4, 3, Map.of());
        admin = new BrokerAdmin(cluster.uris(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNewBrokerGetsItsShareOfEveryTopic(TestInfo test) {
        try {
            scaleOut();
        } catch (RuntimeException | Error e) {
            System.err.println(test.getDisplayName() + " failed; the brokers:" + cluster.tails());
            throw e;
        }
    }

    private void scaleOut() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> admin.cluster().brokers().stream().filter(ClusterInfo.Member::alive).count() == 3);
        admin.createTopic(TOPIC, 4, 3, Map.of());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.replicationHealth().whole());
        ScaleOut scaleOut = new ScaleOut(admin);
        assertTrue(scaleOut.step(3).complete(), "three brokers holding everything are balanced");

        ScaleOut.Progress waiting = scaleOut.step(4);
        assertFalse(waiting.complete());
        assertTrue(waiting.message().contains("broker(s) 3"), waiting.message());

        cluster.launch(3);
        int[] submitted = {0};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            ScaleOut.Progress progress = scaleOut.step(4);
            submitted[0] += progress.submitted();
            return progress.complete();
        });
        assertEquals(3, submitted[0], "12 replicas over 4 brokers: three move to the new one");

        TopicDescription spread = admin.topic(TOPIC);
        Map<Integer, Integer> load = new TreeMap<>();
        for (TopicDescription.PartitionState p : spread.partitionStates()) {
            assertEquals(3, p.replicas().size(), p::toString);
            assertEquals(3, new HashSet<>(p.replicas()).size(), p::toString);
            assertEquals(new HashSet<>(p.replicas()), new HashSet<>(p.isr()), () -> "ISR not whole: " + p);
            p.replicas().forEach(b -> load.merge(b, 1, Integer::sum));
        }
        assertEquals(Map.of(0, 3, 1, 3, 2, 3, 3, 3), load, spread::toString);
        assertTrue(admin.replicationHealth().whole());
        assertTrue(scaleOut.step(4).complete(), "nothing more to move");

        ScaleInCheck.Result scaleIn = ScaleInCheck.check(admin, 4, 3);
        assertFalse(scaleIn.allowed(), scaleIn::message);
        assertEquals(4, scaleIn.replicas());
        assertTrue(scaleIn.message().contains("broker(s) 3 still hold 3 replica(s)"), scaleIn.message());
        assertEquals(List.of(), admin.reassignments(TOPIC).stream().filter(r -> r.inProgress()).toList());
    }
}
