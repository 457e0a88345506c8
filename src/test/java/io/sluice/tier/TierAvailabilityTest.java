package io.sluice.tier;

import static io.sluice.tier.TierFixture.WAIT;
import static io.sluice.tier.TierFixture.smallSegmentsGoingRemote;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.Acks;
import io.sluice.broker.DamagedDefinition;
import io.sluice.broker.Partition;
import io.sluice.broker.ProduceRecord;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiered range survives a store that is away: on the default (relative, "./") data dir, when
 * the store refuses for a long time (health says so), and when it is unreachable at start (the
 * range is unavailable, not gone, and no offset or object key is ever reused).
 */
class TierAvailabilityTest {
    @TempDir
    Path tmp;

    private TierFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** {@code ./<tmp relative to the working dir>/data}: the shape of the default data dir "./data". */
    private Path relativeWithDot() {
        return Path.of(".").resolve(Path.of("").toAbsolutePath().relativize(tmp)).resolve("data");
    }

    private static SluiceException failure(Runnable call) {
        CompletionException e = assertThrows(CompletionException.class, call::run);
        return (SluiceException) e.getCause();
    }

    @Test
    void segmentsTierFromADataDirGivenAsDotSlashData() throws Exception {
        Path dataDir = relativeWithDot();
        // The store under the data dir, exactly as the embedded default puts it, made absolute the same way.
        f = new TierFixture(dataDir.toAbsolutePath().resolve("s3"), dataDir.toAbsolutePath());
        f.startBroker();
        f.broker.createTopic("events", 1, 1, smallSegmentsGoingRemote());
        f.produce("events", 0, 300);
        Partition p = f.broker.topic("events").partition(0);
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > 0);
        assertEquals(0, f.tier.uploader().failedAttempts());
        assertEquals(300, f.readAll("events", 0).size());
    }

    @Test
    void aStoreThatKeepsRefusingTurnsTheAlarmOnAndItClearsOnTheFirstSuccess() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        f.startBroker();
        f.broker.createTopic("refused", 1, 1, smallSegmentsGoingRemote());
        f.stopStore();
        f.produce("refused", 0, 300);
        await().atMost(WAIT).until(() -> f.tier.uploader().consecutiveFailures() >= Tier.UPLOAD_FAILURE_ALARM_ATTEMPTS);
        assertFalse(f.tier.uploadsFailing(), "a short outage is no alarm");
        f.clock.addAndGet(Tier.UPLOAD_FAILURE_ALARM_MS);
        assertTrue(f.tier.uploadsFailing(), "every upload failed for a minute: storage health is DOWN");
        f.startStore();
        await().atMost(WAIT).until(() -> !f.tier.uploadsFailing() && f.tier.uploader().backlogSegments() == 0);
    }

    /** Produces until segments are remote and gone from the disk; returns where the bucket's log ends. */
    private long tierSome(String topic) {
        f.broker.createTopic(topic, 1, 1, smallSegmentsGoingRemote());
        f.produce(topic, 0, 300);
        Partition p = f.broker.topic(topic).partition(0);
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > 0);
        return p.remote().endOffset();
    }

    @Test
    void aStoreDownAtStartLeavesTheTieredRangeUnavailableUntilItAnswers() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        f.startBroker();
        long tieredEnd = tierSome("history");
        f.stopBroker();
        f.stopStore();

        f.startBroker();
        Partition p = f.broker.topic("history").partition(0);
        assertFalse(p.tierAvailable());
        assertEquals(ErrorCode.TIER_UNAVAILABLE, failure(() -> f.broker.fetch("history", 0, 0, 10, 4096, 0).join())
                .code(), "unavailable, not out of range");
        long localStart = p.localLogStartOffset();
        f.produce("history", 300, 100); // rolls segments past local retention (0 bytes)
        assertEquals(400, p.logEndOffset(), "the local log goes on");
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> p.localLogStartOffset() == localStart);
        assertEquals(0, f.tier.uploader().backlogSegments(), "nothing uploaded while the bucket is unknown");

        f.startStore();
        await().atMost(WAIT).until(p::tierAvailable);
        assertTrue(p.remote().endOffset() >= tieredEnd);
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > localStart);
        List<String> values = f.readAll("history", 0);
        assertEquals(400, values.size());
        assertEquals(TierFixture.value(0), values.get(0));
    }

    @Test
    void anEmptyDiskWaitsForTheBucketsEndAndNeverReusesAnOffsetOrAKey() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        f.startBroker();
        long tieredEnd = tierSome("reborn");
        String id = f.broker.topic("reborn").metadata().id();
        f.stopBroker();
        Map<String, Long> before = f.objects(id);
        TierFixture.deleteRecursively(f.dataDir.resolve("logs")); // the definition survives, the logs do not
        f.stopStore();

        f.startBroker();
        Partition p = f.broker.topic("reborn").partition(0);
        SluiceException refused = assertThrows(SluiceException.class, () -> f.produce("reborn", 1000, 1));
        assertEquals(ErrorCode.TIER_UNAVAILABLE, refused.code(), "no offset handed out before the bucket's end is known");
        assertEquals(ErrorCode.TIER_UNAVAILABLE, failure(() -> f.broker.fetch("reborn", 0, 0, 10, 4096, 0).join())
                .code());

        f.startStore();
        await().atMost(WAIT).until(() -> p.tierAvailable() && p.logEndOffset() == tieredEnd);
        f.produce("reborn", 300, 300);
        Partition now = f.broker.topic("reborn").partition(0);
        await().atMost(WAIT).until(() -> f.tier.uploader().backlogSegments() == 0
                && now.localLogStartOffset() > tieredEnd);
        Map<String, Long> after = f.objects(id);
        before.forEach((key, size) -> assertEquals(size, after.get(key), key + " was overwritten or deleted"));
        List<String> values = f.readAll("reborn", 0);
        assertEquals(tieredEnd + 300, values.size(), "the tiered records, then the new ones right after them");
        for (int i = 0; i < values.size(); i++) {
            assertEquals(TierFixture.value(i < tieredEnd ? i : 300 + i - (int) tieredEnd), values.get(i));
        }
    }

    @Test
    void aTopicWithA249CharacterNameIsRestoredFromTheBucketAfterDiskLoss() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        f.startBroker();
        String name = "n".repeat(240) + "-long.nam";
        assertEquals(249, name.length());
        long tieredEnd = tierSome(name);
        assertEquals(0, f.tier.uploader().failedAttempts(), "the keys are short whatever the name");
        f.stopBroker();
        TierFixture.deleteRecursively(f.dataDir);

        f.startBroker();
        assertEquals(tieredEnd, f.broker.topic(name).partition(0).logEndOffset());
        List<String> values = f.readAll(name, 0);
        assertEquals(tieredEnd, values.size());
        assertEquals(TierFixture.value(0), values.get(0));
    }

    @Test
    void aDamagedLocalDefinitionIsReplacedByTheBucketsCopy() throws Exception {
        f = new TierFixture(tmp.resolve("s3"), tmp.resolve("data"));
        f.startBroker();
        f.broker.createTopic("wide", 3, 1, Map.of());
        f.broker.produce("wide", List.of(new ProduceRecord(2, null, new byte[] {7}, null, List.of())),
                Acks.ALL, null).join();
        await().atMost(WAIT).until(() -> !f.objects("@topics/" + f.broker.topic("wide").metadata().id()).isEmpty());
        f.stopBroker();
        Path definition = f.dataDir.resolve("meta/topics/wide.topic");
        Files.writeString(definition, Files.readString(definition)
                .replaceAll("(?m)^partitions=.*$", "partitions=1"));

        f.startBroker();
        assertEquals(3, f.broker.topic("wide").partitionCount(), "the bucket's copy, not the damaged file");
        assertEquals(1, f.broker.topic("wide").partition(2).logEndOffset(), "the record on partition 2 is served");
        List<DamagedDefinition> damaged = f.broker.damagedTopicDefinitions();
        assertEquals(1, damaged.size());
        assertTrue(damaged.get(0).restored());
        assertTrue(Files.exists(f.dataDir.resolve(damaged.get(0).setAsideAt())));
    }
}
