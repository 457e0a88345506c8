package io.sluice.operator.roll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.operator.brokers.BrokerAdmin;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scale-out driver and the scale-in check against a fake broker API over real HTTP. */
class ScaleOutTest {
    private FakeBrokerApi api;
    private BrokerAdmin admin;

    @BeforeEach
    void start() throws IOException {
        api = new FakeBrokerApi();
        admin = new BrokerAdmin(api.uri(), Duration.ofSeconds(2));
        for (int id = 0; id < 3; id++) {
            api.alive.put(id, true);
        }
        api.topic("orders", 3, Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0), 2, List.of(2, 0, 1), 3, List.of(0, 1, 2)));
        api.topic("__consumer_offsets", 3, Map.of(0, List.of(1, 2, 0), 1, List.of(2, 0, 1)));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void nothingMovesWhileTheBrokersAreTheSame() {
        ScaleOut.Progress progress = new ScaleOut(admin).step(3);
        assertTrue(progress.complete(), progress::message);
        assertEquals(List.of(), api.posts);
    }

    @Test
    void waitsForTheNewBrokersThenMovesReplicasOntoThemAndTracksTheMove() {
        ScaleOut scaleOut = new ScaleOut(admin);
        ScaleOut.Progress waiting = scaleOut.step(4);
        assertFalse(waiting.complete());
        assertTrue(waiting.message().contains("broker(s) 3 to register"), waiting.message());

        api.alive.put(3, true);
        api.underReplicated = 1;
        ScaleOut.Progress held = scaleOut.step(4);
        assertFalse(held.complete());
        assertTrue(held.message().contains("1 under-replicated"), held.message());
        assertEquals(List.of(), api.posts);

        api.underReplicated = 0;
        ScaleOut.Progress submitted = scaleOut.step(4);
        assertFalse(submitted.complete());
        assertEquals(3 + 1, submitted.submitted(), submitted.message()); // orders: 12 replicas, 3 each; offsets: 6, 2 each
        assertEquals(2, api.posts.size(), api.posts::toString);

        ScaleOut.Progress moving = scaleOut.step(4);
        assertFalse(moving.complete());
        assertTrue(moving.message().startsWith("moving "), moving.message());
        assertEquals(2, api.posts.size(), "nothing submitted twice while moving");

        api.completeMoves();
        ScaleOut.Progress done = scaleOut.step(4);
        assertTrue(done.complete(), done.message());
        Map<Integer, Integer> load = new HashMap<>();
        api.replicas.get("orders").values().forEach(rs -> rs.forEach(b -> load.merge(b, 1, Integer::sum)));
        assertEquals(Map.of(0, 3, 1, 3, 2, 3, 3, 3), load);
        assertEquals(2, api.posts.size());
    }

    @Test
    void anUnreachableClusterIsNotComplete() {
        api.close();
        ScaleOut.Progress progress = new ScaleOut(admin).step(4);
        assertFalse(progress.complete());
        assertTrue(progress.message().startsWith("cannot move partitions yet"), progress.message());
    }

    @Test
    void scaleInIsRefusedWhileTheRemovedBrokersHoldReplicas() {
        ScaleInCheck.Result result = ScaleInCheck.check(admin, 3, 2);
        assertFalse(result.allowed());
        assertEquals(3, result.replicas());
        assertTrue(result.message().contains("broker(s) 2 still hold 6 replica(s)"), result.message());
        assertTrue(result.message().contains("__consumer_offsets-0 on [1, 2, 0]"), result.message());
    }

    @Test
    void scaleInOfEmptyBrokersIsAllowed() {
        api.alive.put(3, true);
        api.alive.put(4, true);
        ScaleInCheck.Result result = ScaleInCheck.check(admin, 5, 3);
        assertTrue(result.allowed(), result.message());
        assertEquals(3, result.replicas());
        assertTrue(ScaleInCheck.check(admin, 3, 5).allowed(), "growing is no scale-in");
    }

    @Test
    void aBrokerThatIsBeingGivenAReplicaIsNotEmpty() {
        TopicReplicas moving = new TopicReplicas("t", 1, new java.util.TreeMap<>(Map.of(0, List.of(0))),
                new java.util.TreeMap<>(Map.of(0, List.of(3))));
        ScaleInCheck.Result result = ScaleInCheck.check(List.of(moving), 4, 3);
        assertFalse(result.allowed());
        assertTrue(result.message().contains("broker(s) 3 still hold 1"), result.message());
    }

    @Test
    void scaleInCannotBeVerifiedWithoutTheBrokers() {
        api.close();
        ScaleInCheck.Result result = ScaleInCheck.check(admin, 3, 2);
        assertFalse(result.allowed());
        assertEquals(3, result.replicas());
        assertTrue(result.message().contains("cannot verify that broker(s) 2 hold no replicas"), result.message());
    }
}
