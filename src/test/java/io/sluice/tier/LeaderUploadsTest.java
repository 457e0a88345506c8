package io.sluice.tier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.ClosedSegment;
import io.sluice.log.LogConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploader as a partition's leader drives it, against a real S3 server: nothing is uploaded
 * without leading, a new leader uploads only offsets the bucket lacks, a deposed leader's upload in
 * flight never commits, and a late commit of a range another leader holds is shadowed and removed.
 */
class LeaderUploadsTest {
    private static final String BUCKET = "leader-uploads";
    private static final String PREFIX = "c1";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Random random = new Random(20261129);
    private final String topicId = UUID.randomUUID().toString();
    private final List<Tier> tiers = new ArrayList<>();
    private EmbeddedS3 s3;
    private PausableProxy proxy;
    private S3ObjectStore inspector;

    @BeforeEach
    void start() throws Exception {
        s3 = EmbeddedS3.start(dir.resolve("s3"), 0);
        proxy = new PausableProxy(s3.endpoint().getPort());
        inspector = S3ObjectStore.connect(settings(s3.endpoint()), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.resume();
        tiers.forEach(Tier::close);
        inspector.close();
        proxy.close();
        s3.close();
    }

    private static S3Settings settings(URI endpoint) {
        return new S3Settings(Optional.empty(), BUCKET, PREFIX, "us-east-1", Optional.empty(), Optional.empty())
                .withEndpoint(endpoint, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
    }

    /** A broker's tier, straight to the store or through the pausable proxy. */
    private Tier tier(boolean throughProxy) {
        URI endpoint = throughProxy ? proxy.endpoint() : URI.create("http://127.0.0.1:" + s3.endpoint().getPort());
        Tier t = new Tier(S3ObjectStore.connect(settings(endpoint), Duration.ofSeconds(20)), new TierLayout(PREFIX),
                System::currentTimeMillis, 4, 1 << 20, Duration.ofSeconds(5));
        tiers.add(t);
        assertTrue(t.ensureBucket());
        return t;
    }

    private ClosedSegment segment(String broker, long base, long next) throws Exception {
        Path d = Files.createDirectories(dir.resolve(broker));
        byte[] bytes = new byte[(int) (next - base) * 10];
        random.nextBytes(bytes);
        Path log = Files.write(d.resolve(base + ".log"), bytes);
        Path index = Files.write(d.resolve(base + ".index"), new byte[8]);
        Path time = Files.write(d.resolve(base + ".timeindex"), new byte[12]);
        return new ClosedSegment("t-0", base, next, System.currentTimeMillis(), bytes.length, log, index, time);
    }

    private List<String> metaKeys() {
        return inspector.list(PREFIX + "/" + topicId + "/").join().stream().map(ObjectStore.ObjectInfo::key)
                .filter(k -> k.endsWith(TierLayout.META)).sorted().toList();
    }

    private RemoteLog view(Tier tier) {
        RemoteLog remote = RemoteLog.unloaded(topicId, "t", 0);
        tier.loadRemoteLog(remote).join();
        return remote;
    }

    @Test
    void aBrokerThatDoesNotLeadQueuesNothing() throws Exception {
        Tier follower = tier(false);
        RemoteLog remote = RemoteLog.empty(topicId, "t", 0);
        follower.uploader().enqueue(remote, segment("f", 0, 100));
        assertEquals(0, follower.uploader().backlogSegments());
        follower.hook(remote).onSegmentClosed(segment("f", 100, 200));
        assertEquals(0, follower.uploader().backlogSegments());
        assertTrue(metaKeys().isEmpty());
    }

    @Test
    void aNewLeaderUploadsOnlyTheOffsetsTheBucketLacksWhereverItRolled() throws Exception {
        Tier first = tier(false);
        RemoteLog a = RemoteLog.empty(topicId, "t", 0);
        first.takeOverUploads(a, 1, true).join();
        first.uploader().enqueue(a, segment("a", 0, 100));
        first.uploader().enqueue(a, segment("a", 100, 200));
        await().atMost(WAIT).until(() -> a.contiguousEndOffset() == 200);

        Tier second = tier(false);
        RemoteLog b = view(second);
        second.takeOverUploads(b, 2, true).join();
        second.uploader().enqueue(b, segment("b", 0, 150)); // rolled elsewhere, all in the bucket
        second.uploader().enqueue(b, segment("b", 150, 260)); // runs past the bucket's end
        assertTrue(second.hook(b).isUploaded(0, 150), "a follower's segment counts by its range");
        assertFalse(second.hook(b).isUploaded(150, 260));
        await().atMost(WAIT).until(() -> second.uploader().backlogSegments() == 0 && b.contiguousEndOffset() == 260);

        List<String> metas = metaKeys();
        assertEquals(3, metas.size(), "one upload per range: " + metas);
        assertTrue(metas.get(2).contains(String.format("%020d", 150) + "-2-"), "the new leader's epoch: " + metas);
        RemoteLog fresh = view(first);
        assertTrue(fresh.covers(0, 260));
        assertEquals(150, fresh.segmentFor(220).baseOffset());
    }

    @Test
    void aDeposedLeadersUploadInFlightDoesNotCommit() throws Exception {
        Tier deposed = tier(true);
        RemoteLog remote = RemoteLog.empty(topicId, "t", 0);
        deposed.takeOverUploads(remote, 3, true).join();
        proxy.pause();
        deposed.uploader().enqueue(remote, segment("d", 0, 100));
        deposed.uploader().enqueue(remote, segment("d", 100, 200));
        await().atMost(WAIT).until(() -> deposed.uploader().backlogSegments() == 2);
        CompletableFuture<Void> drained = deposed.stopUploads(remote); // leadership moved
        assertEquals(-1, remote.uploadEpoch());
        proxy.resume();
        drained.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(metaKeys().isEmpty(), "no commit after losing leadership: " + metaKeys());
        assertTrue(remote.isEmpty());
        assertEquals(0, deposed.uploader().backlogSegments());
        deposed.uploader().enqueue(remote, segment("d", 200, 300));
        assertEquals(0, deposed.uploader().backlogSegments(), "nothing is queued until it leads again");
    }

    @Test
    void aLateCommitOfARangeTheNewLeaderHoldsIsShadowedAndRetentionDeletesIt() throws Exception {
        Tier late = tier(false);
        RemoteLog old = RemoteLog.empty(topicId, "t", 0);
        late.takeOverUploads(old, 1, true).join();
        late.uploader().enqueue(old, segment("old", 0, 100));
        await().atMost(WAIT).until(() -> old.contiguousEndOffset() == 100);
        Tier leader = tier(false);
        RemoteLog current = RemoteLog.empty(topicId, "t", 0); // listed before the late commit landed
        leader.takeOverUploads(current, 2, false).join();
        leader.uploader().enqueue(current, segment("new", 0, 100));
        await().atMost(WAIT).until(() -> current.contiguousEndOffset() == 100);
        assertEquals(2, metaKeys().size(), "both commits landed");

        RemoteLog listed = view(leader);
        assertEquals(2, listed.segmentFor(50).leaderEpoch(), "the higher epoch wins");
        assertEquals(1, listed.shadowed().size());
        leader.enforceRetention(listed, LogConfig.defaults(), 0).join();
        List<String> left = metaKeys();
        assertEquals(1, left.size());
        assertTrue(left.get(0).contains("-2-"), "the shadowed commit is gone, the winner stays: " + left);
        assertTrue(listed.covers(0, 100));
    }
}
