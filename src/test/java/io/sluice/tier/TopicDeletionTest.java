package io.sluice.tier;

import static io.sluice.tier.TierFixture.WAIT;
import static io.sluice.tier.TierFixture.smallSegmentsGoingRemote;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.Partition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deleted topic never comes back (DESIGN invariant 9): deletion is durable at its tombstone,
 * finishes in the background whatever the store does, survives a restart, and a new topic of the
 * same name never adopts the old one's objects, not even a late one from an upload in flight.
 */
class TopicDeletionTest {
    @TempDir
    Path tmp;

    private TierFixture f;
    private PausableProxy proxy;

    @BeforeEach
    void start() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        proxy = new PausableProxy(f.s3Port);
        f.startBroker(proxy.endpoint());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.resume();
        f.close();
        proxy.close();
    }

    private String tierSome(String topic) {
        f.broker.createTopic(topic, 1, 1, smallSegmentsGoingRemote());
        f.produce(topic, 0, 200);
        Partition p = f.broker.topic(topic).partition(0);
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() == 0 && p.tieredBytes() > 0);
        return f.broker.topic(topic).metadata().id();
    }

    private List<String> keys(String id) {
        return List.copyOf(f.objects(id).keySet());
    }

    private static String tombstoneKey(String id) {
        return new TierLayout(TierFixture.PREFIX).tombstoneKey(id);
    }

    private Path tombstone(String id) {
        return f.dataDir.resolve("meta/tombstones/" + id + ".tombstone");
    }

    @Test
    void deleteAnswersAtOnceWhileTheStoreHangsAndARestartFinishesIt() throws Exception {
        String id = tierSome("doomed");
        assertFalse(f.objects(id).isEmpty());
        proxy.pause();

        long start = System.nanoTime();
        f.broker.deleteTopic("doomed");
        f.broker.createTopic("other", 1, 1, Map.of()); // the topics' lock is free
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 2_000, "delete and the next admin call took " + tookMs + " ms against a hanging store");
        assertTrue(Files.exists(tombstone(id)), "durable before the bucket knows");
        assertEquals(ErrorCode.TOPIC_NOT_FOUND, assertThrows(SluiceException.class, () -> f.broker.topic("doomed"))
                .code());

        // A crash now: the bucket still has the definition and every object of the topic.
        f.stopBroker();
        proxy.resume();
        assertFalse(f.objects(id).isEmpty());
        f.startBroker(proxy.endpoint());
        assertThrows(SluiceException.class, () -> f.broker.topic("doomed"), "the tombstone is honoured");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of(tombstoneKey(id)), keys(id),
                "only the tombstone is left, until no late upload can land"));
        assertTrue(Files.exists(tombstone(id)));
        f.clock.addAndGet(Tier.LATE_WRITE_GRACE_MS);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(List.of(), keys(id));
            assertFalse(Files.exists(tombstone(id)));
        });

        f.stopBroker();
        f.startBroker(proxy.endpoint());
        assertThrows(SluiceException.class, () -> f.broker.topic("doomed"), "and stays deleted");
    }

    @Test
    void aLateUploadOfADeletedTopicIsNeverSeenByItsNamesake() throws Exception {
        f.broker.createTopic("reused", 1, 1, smallSegmentsGoingRemote());
        String oldId = f.broker.topic("reused").metadata().id();
        proxy.pause();
        f.produce("reused", 0, 200); // segments roll; their uploads hang in the proxy
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() > 0 && f.tier.uploader().lanes() > 0);

        f.broker.deleteTopic("reused");
        f.broker.createTopic("reused", 1, 1, smallSegmentsGoingRemote());
        String newId = f.broker.topic("reused").metadata().id();
        assertNotEquals(oldId, newId);
        proxy.resume();

        // The held requests land late, after their client gave up; the clean-up keeps removing them.
        await().atMost(WAIT).during(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertEquals(List.of(tombstoneKey(oldId)), keys(oldId), "the old id's prefix is empty");
            assertEquals(0, f.tier.uploader().lanes(), "the cancelled lane is gone");
        });
        f.clock.addAndGet(Tier.LATE_WRITE_GRACE_MS);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(List.of(), keys(oldId));
            assertFalse(Files.exists(tombstone(oldId)), "the tombstone is dropped once no late upload can land");
        });
        Partition p = f.broker.topic("reused").partition(0);
        assertTrue(p.remote().isEmpty(), "nothing of the old topic in the new one's view");
        assertEquals(0, p.logEndOffset());
        f.stopBroker();
        f.startBroker(proxy.endpoint());
        assertEquals(0, f.broker.topic("reused").partition(0).logEndOffset());
        assertTrue(f.broker.topic("reused").partition(0).remote().isEmpty());
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> keys(oldId).isEmpty());
    }
}
