package io.sluice.tier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.BrokerConfig;
import io.sluice.broker.Partition;
import io.sluice.broker.ProduceRecord;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiered storage end to end on real parts: a broker built directly, its tier on a real S3 protocol
 * server (S3Proxy) that outlives the broker, and the MinIO client as an independent check of what
 * landed in the bucket.
 */
class TieredStorageTest {
    private static final String BUCKET = "tier-test";
    private static final String PREFIX = "c1";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Path s3Dir;
    private Path dataDir;
    private EmbeddedS3 s3;
    private int s3Port;
    private Tier tier;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        s3Dir = tmp.resolve("s3");
        dataDir = tmp.resolve("data");
        s3 = EmbeddedS3.start(s3Dir, 0);
        s3Port = s3.endpoint().getPort();
        startBroker(s3.endpoint(), Duration.ofSeconds(10));
    }

    private void startBroker(URI endpoint, Duration callTimeout) throws Exception {
        S3Settings settings = new S3Settings(Optional.empty(), BUCKET, PREFIX, "us-east-1", Optional.empty(),
                Optional.empty()).withEndpoint(endpoint, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
        tier = new Tier(S3ObjectStore.connect(settings, callTimeout), new TierLayout(PREFIX),
                System::currentTimeMillis, 4, 16 * 1024 * 1024, Duration.ofSeconds(5));
        LogConfig defaults = LogConfig.defaults().withRemoteStorage(true, LogConfig.USE_TOTAL_RETENTION,
                LogConfig.USE_TOTAL_RETENTION);
        BrokerConfig config = new BrokerConfig(dataDir, 0, true, 2, 2, defaults, 100);
        broker = new Broker(config, tier);
    }

    private void stopBroker() {
        broker.close();
        tier.close();
    }

    @AfterEach
    void stop() throws Exception {
        stopBroker();
        if (s3 != null) {
            s3.close();
        }
    }

    private void produce(String topic, int from, int count, long timestamp) {
        for (int i = from; i < from + count; i += 10) {
            List<ProduceRecord> batch = new ArrayList<>();
            for (int k = i; k < Math.min(from + count, i + 10); k++) {
                batch.add(new ProduceRecord(0, ("k" + k).getBytes(StandardCharsets.UTF_8),
                        ("value-" + k + "-" + "x".repeat(60)).getBytes(StandardCharsets.UTF_8),
                        timestamp > 0 ? timestamp : null, List.of()));
            }
            broker.produce(topic, batch, Acks.ALL, null).join();
        }
    }

    private List<String> readAll(String topic, long from) {
        return TierFixture.readAll(broker, topic, from);
    }

    @Test
    void olderSegmentsLeaveTheDiskAndEveryRecordIsReadFromOffsetZero() throws Exception {
        broker.createTopic("events", 1, 1, TierFixture.smallSegmentsGoingRemote());
        produce("events", 0, 600, 0);
        Partition p = broker.topic("events").partition(0);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > 0
                && p.log().segmentCount() == 1);
        assertEquals(0, p.logStartOffset());
        assertTrue(p.tieredBytes() > 0);
        long expectedBase = 0;
        for (RemoteSegment s : p.remote().segments()) {
            assertEquals(expectedBase, s.baseOffset(), "the remote view has no hole");
            expectedBase = s.nextOffset();
        }
        assertEquals(p.localLogStartOffset(), expectedBase, "remote ends where local begins");

        List<String> values = readAll("events", 0);
        assertEquals(600, values.size());
        for (int i = 0; i < 600; i++) {
            assertTrue(values.get(i).startsWith("value-" + i + "-"), values.get(i));
        }
        checkBucketWithMinio(p);
    }

    /** The MinIO client, a second S3 client, sees the objects we meant to write, with the right bytes. */
    private void checkBucketWithMinio(Partition p) throws Exception {
        MinioClient minio = MinioClient.builder().endpoint("http://127.0.0.1:" + s3Port)
                .credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY).build();
        String id = broker.topic(p.topic()).metadata().id();
        Pattern name = Pattern.compile(PREFIX + "/" + id + "/0/\\d{20}-0-[0-9a-f]{16}\\.(log|index|timeindex|meta)");
        List<String> logs = new ArrayList<>();
        for (Result<Item> r : minio.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(PREFIX + "/" + id + "/")
                .recursive(true).build())) {
            Item item = r.get();
            assertTrue(name.matcher(item.objectName()).matches(), item.objectName());
            if (item.objectName().endsWith(".log")) {
                logs.add(item.objectName());
                RemoteSegment segment = p.remote().segments().stream()
                        .filter(s -> item.objectName().contains(String.format("%020d", s.baseOffset())))
                        .findFirst().orElseThrow();
                assertEquals(segment.sizeBytes(), item.size(), item.objectName());
            }
        }
        assertEquals(p.remote().segments().size(), logs.size());
        long expectedBase = 0;
        for (String key : logs.stream().sorted().toList()) {
            byte[] bytes;
            try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
                bytes = in.readAllBytes();
            }
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches()) {
                batch.ensureValid();
                assertEquals(expectedBase, batch.baseOffset(), key);
                expectedBase = batch.nextOffset();
            }
        }
        assertEquals(p.remote().endOffset(), expectedBase);
    }

    @Test
    void produceGoesOnWhileTheStoreIsDownAndUploadsResumeWhenItReturns() throws Exception {
        broker.createTopic("outage", 1, 1, TierFixture.smallSegmentsGoingRemote());
        produce("outage", 0, 100, 0);
        Partition p = broker.topic("outage").partition(0);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0 && p.localLogStartOffset() > 0);

        s3.close();
        long localStartWhenDown = p.localLogStartOffset();
        produce("outage", 100, 400, 0);
        assertEquals(500, p.logEndOffset(), "produce goes on without the store");
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() > 3 && tier.uploader().failedAttempts() > 0);
        assertEquals(localStartWhenDown, p.localLogStartOffset(), "nothing deleted locally without a confirmed upload");
        assertTrue(broker.isHealthy(), "readiness stays up");
        List<String> local = readAll("outage", localStartWhenDown);
        assertEquals(500 - localStartWhenDown, local.size(), "local data still served");
        CompletionException remoteRead = assertThrows(CompletionException.class,
                () -> broker.fetch("outage", 0, 0, 10, 4096, 0).join());
        assertEquals(ErrorCode.TIER_UNAVAILABLE, ((SluiceException) remoteRead.getCause()).code());

        s3 = EmbeddedS3.start(s3Dir, s3Port);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0
                && p.localLogStartOffset() > localStartWhenDown);
        assertEquals(500, readAll("outage", 0).size());
    }

    @Test
    void aBrokerOnAnEmptyDiskServesEveryTieredRecordFromTheBucket() throws Exception {
        broker.createTopic("survivor", 1, 1, Map.of("segment.bytes", "2048", "retention.ms", "86400000"));
        produce("survivor", 0, 300, 0);
        Partition p = broker.topic("survivor").partition(0);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0 && p.remote().endOffset() > 250);
        long tieredEnd = p.remote().endOffset();
        stopBroker();
        deleteRecursively(dataDir);

        startBroker(s3.endpoint(), Duration.ofSeconds(10));
        Partition restored = broker.topic("survivor").partition(0);
        assertEquals("86400000", broker.topic("survivor").metadata().config().overrides().get("retention.ms"));
        assertEquals(tieredEnd, restored.logEndOffset(), "offsets continue where the bucket ends");
        List<String> values = readAll("survivor", 0);
        assertEquals(tieredEnd, values.size());
        assertTrue(values.get((int) tieredEnd - 1).startsWith("value-" + (tieredEnd - 1) + "-"));
        produce("survivor", 1000, 1, 0);
        assertEquals(tieredEnd + 1, restored.logEndOffset());
    }

    @Test
    void remoteRetentionDeletesExpiredSegmentsAndNothingYounger() throws Exception {
        broker.createTopic("aging", 1, 1, Map.of("segment.bytes", "2048", "retention.ms", "3600000"));
        long now = System.currentTimeMillis();
        produce("aging", 0, 100, now - 7_200_000); // two hours old: past retention
        Partition p = broker.topic("aging").partition(0);
        produce("aging", 100, 100, now);
        // Retention is done once the oldest remaining segment holds a record younger than retention.
        await().atMost(WAIT).until(() -> p.logStartOffset() > 0 && tier.uploader().backlogSegments() == 0
                && p.remote().segments().stream().findFirst().map(first -> first.maxTimestamp() >= now)
                        .orElse(false));
        long start = p.logStartOffset();
        assertTrue(start <= 100, "nothing younger than retention is deleted: start=" + start);
        List<String> values = readAll("aging", start);
        assertEquals(200 - start, values.size());
        for (RemoteSegment s : p.remote().segments()) {
            assertTrue(s.baseOffset() >= start);
        }
        // A segment stops existing when its .meta goes; its data objects follow in the next delete.
        String id = broker.topic("aging").metadata().id();
        await().atMost(WAIT).untilAsserted(() -> assertEquals(0, logObjectsBelow(id, start),
                "expired remote segments are gone from the bucket"));
    }

    private long logObjectsBelow(String topicId, long offset) throws Exception {
        try (Stream<Path> files = Files.walk(s3Dir)) {
            return files.filter(f -> f.toString().contains("/" + topicId + "/0/")).map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".log")).filter(f -> Long.parseLong(f.substring(0, 20)) < offset).count();
        }
    }

    @Test
    void deletingATopicDeletesItsObjectsAndNothingIsUploadedForItAfterwards() throws Exception {
        broker.createTopic("doomed", 1, 1, TierFixture.smallSegmentsGoingRemote());
        produce("doomed", 0, 200, 0);
        Partition p = broker.topic("doomed").partition(0);
        await().atMost(WAIT).until(() -> tier.uploader().backlogSegments() == 0 && p.tieredBytes() > 0);
        String id = broker.topic("doomed").metadata().id();
        assertTrue(objectsOf(id) > 0);

        broker.deleteTopic("doomed");
        await().atMost(WAIT).until(() -> objectsOf(id) == 0);
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> objectsOf(id) == 0);
        broker.createTopic("doomed", 1, 1, Map.of());
        assertEquals(0, broker.topic("doomed").partition(0).logEndOffset());
    }

    /** Objects in the bucket that hold a topic id's data or definition (its tombstone outlives them). */
    private long objectsOf(String topicId) throws Exception {
        try (Stream<Path> files = Files.walk(s3Dir)) {
            return files.filter(Files::isRegularFile).map(f -> s3Dir.relativize(f).toString())
                    .filter(f -> f.contains(topicId) && !f.contains("@tombstones")).count();
        } catch (java.io.UncheckedIOException deletedWhileWalking) {
            return -1; // the clean-up is running: not empty yet
        }
    }

    @Test
    void aHangingStoreNeitherBlocksProduceNorReadiness() throws Exception {
        stopBroker();
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(blackHole.accept()); // accept, then never answer
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            startBroker(URI.create("http://127.0.0.1:" + blackHole.getLocalPort()), Duration.ofSeconds(1));
            broker.createTopic("stuck", 1, 1, TierFixture.smallSegmentsGoingRemote());
            produce("stuck", 0, 300, 0);
            Partition p = broker.topic("stuck").partition(0);
            assertEquals(300, p.logEndOffset());
            await().atMost(WAIT).until(() -> tier.uploader().failedAttempts() > 0);
            assertEquals(0, p.localLogStartOffset());
            assertTrue(broker.isHealthy());
            assertEquals(300, readAll("stuck", 0).size());
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
