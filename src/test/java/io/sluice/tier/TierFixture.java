package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.BrokerConfig;
import io.sluice.broker.FetchResult;
import io.sluice.broker.ProduceRecord;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A broker built directly with its tier on a real S3 protocol server (S3Proxy) that outlives it:
 * start, stop, restart on the same data dir, stop and restart the store on the same port.
 */
final class TierFixture implements AutoCloseable {
    static final String BUCKET = "tier-test";
    static final String PREFIX = "c1";
    static final Duration WAIT = Duration.ofSeconds(60);

    final Path s3Dir;
    final Path dataDir;
    /** The tier's clock: tests move it to skip ahead of alarms. */
    final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    EmbeddedS3 s3;
    int s3Port;
    Tier tier;
    Broker broker;
    /** A second client, straight to the store (not through any proxy), to see what the bucket holds. */
    private S3ObjectStore inspector;

    TierFixture(Path s3Dir, Path dataDir) throws Exception {
        this.s3Dir = s3Dir;
        this.dataDir = dataDir;
        startStore();
    }

    void startStore() throws Exception {
        s3 = EmbeddedS3.start(s3Dir, s3Port);
        s3Port = s3.endpoint().getPort();
    }

    void stopStore() throws Exception {
        s3.close();
        s3 = null;
    }

    URI storeEndpoint() {
        return URI.create("http://127.0.0.1:" + s3Port);
    }

    Broker startBroker() throws Exception {
        return startBroker(storeEndpoint());
    }

    Broker startBroker(URI endpoint) throws Exception {
        S3Settings settings = new S3Settings(Optional.empty(), BUCKET, PREFIX, "us-east-1", Optional.empty(),
                Optional.empty()).withEndpoint(endpoint, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
        tier = new Tier(S3ObjectStore.connect(settings, Duration.ofSeconds(5)), new TierLayout(PREFIX), clock::get,
                4, 16 * 1024 * 1024, Duration.ofSeconds(3));
        LogConfig defaults = LogConfig.defaults().withRemoteStorage(true, LogConfig.USE_TOTAL_RETENTION,
                LogConfig.USE_TOTAL_RETENTION);
        broker = new Broker(new BrokerConfig(dataDir, 0, true, 2, 2, defaults, 100), tier);
        return broker;
    }

    void stopBroker() {
        if (broker != null) {
            broker.close();
            tier.close();
            broker = null;
        }
    }

    static Map<String, String> smallSegmentsGoingRemote() {
        return Map.of("segment.bytes", "2048", "local.retention.bytes", "0");
    }

    static String value(int i) {
        return "value-" + i + "-" + "x".repeat(60);
    }

    void produce(String topic, int from, int count) {
        for (int i = from; i < from + count; i += 10) {
            List<ProduceRecord> batch = new ArrayList<>();
            for (int k = i; k < Math.min(from + count, i + 10); k++) {
                batch.add(new ProduceRecord(0, null, value(k).getBytes(StandardCharsets.UTF_8), null, List.of()));
            }
            broker.produce(topic, batch, Acks.ALL, null).join();
        }
    }

    /** Every record from {@code from} to the high watermark through the broker, checking density. */
    List<String> readAll(String topic, long from) {
        return readAll(broker, topic, from);
    }

    /** Every record of partition 0 from {@code from} to the high watermark through {@code broker}, checking density. */
    static List<String> readAll(Broker broker, String topic, long from) {
        List<String> values = new ArrayList<>();
        long next = from;
        long end = broker.topic(topic).partition(0).highWatermark();
        while (next < end) {
            FetchResult r = broker.fetch(topic, 0, next, 1000, 64 * 1024, 0).join();
            assertFalse(r.records().isEmpty(), "no records at offset " + next);
            for (LogRecord rec : r.records()) {
                assertEquals(next, rec.offset(), "offsets are dense across remote and local");
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
                next++;
            }
        }
        return values;
    }

    /**
     * Objects in the bucket whose key holds {@code text} (a topic id), with their sizes, as the S3
     * protocol lists them (the store's own files may include uploads it never completed).
     */
    Map<String, Long> objects(String text) {
        if (inspector == null) {
            S3Settings settings = new S3Settings(Optional.empty(), BUCKET, PREFIX, "us-east-1", Optional.empty(),
                    Optional.empty()).withEndpoint(storeEndpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
            inspector = S3ObjectStore.connect(settings, Duration.ofSeconds(10));
        }
        Map<String, Long> found = new TreeMap<>();
        for (ObjectStore.ObjectInfo o : inspector.list(PREFIX + "/").join()) {
            if (o.key().contains(text)) {
                found.put(o.key(), o.size());
            }
        }
        return found;
    }

    static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Override
    public void close() throws Exception {
        stopBroker();
        if (inspector != null) {
            inspector.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
