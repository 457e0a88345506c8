package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.tier.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The single-broker disaster: a broker process tiers its segments to an S3 server that outlives
 * it, is killed with {@code kill -9}, and comes back on an empty disk. Every tiered record must be
 * served again, from offset 0, and new records continue after the last tiered offset.
 */
class TierDisasterRecoveryIT {
    private static final String TOPIC = "ledger";

    @Test
    void anEmptyDiskWithTheSameBucketServesEveryTieredRecord() throws Exception {
        Path s3Dir = BrokerProcess.freshDataDir("TierDisasterRecoveryIT-s3");
        Path dataDir = BrokerProcess.freshDataDir("TierDisasterRecoveryIT");
        try (EmbeddedS3 s3 = EmbeddedS3.start(s3Dir, 0)) {
            Map<String, String> tier = Map.of(
                    "sluice.tier.s3.endpoint", s3.endpoint().toString(),
                    "sluice.tier.s3.access-key", EmbeddedS3.ACCESS_KEY,
                    "sluice.tier.s3.secret-key", EmbeddedS3.SECRET_KEY,
                    "sluice.tier.s3.bucket", "dr-bucket",
                    "sluice.log.maintenance-interval-ms", "200");
            long tieredEnd;
            try (BrokerProcess broker = BrokerProcess.start("TierDisasterRecoveryIT", dataDir, tier)) {
                BrokerClient client = new BrokerClient(broker);
                client.createTopic(TOPIC, 1, Map.of("segment.bytes", "4096", "local.retention.bytes", "0",
                        "retention.ms", "604800000"));
                for (int batch = 0; batch < 40; batch++) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        values.add("entry-" + (batch * 10 + i) + "-" + "z".repeat(80));
                    }
                    client.produceTo(TOPIC, 0, null, values);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    JsonNode state = client.describe(TOPIC).get("partitionStates").get(0);
                    return state.get("localLogStartOffset").asLong() > 300 && state.get("tieredBytes").asLong() > 0;
                });
                JsonNode state = client.describe(TOPIC).get("partitionStates").get(0);
                assertEquals(0, state.get("logStartOffset").asLong());
                tieredEnd = state.get("localLogStartOffset").asLong();
                assertEquals(400, client.fetchAll(TOPIC, 0, 0).size(), "remote then local, no gap, no duplicate");
                broker.kill9();
            }
            deleteRecursively(dataDir);
            Files.createDirectories(dataDir);

            try (BrokerProcess restored = BrokerProcess.start("TierDisasterRecoveryIT-restored", dataDir, tier)) {
                BrokerClient client = new BrokerClient(restored);
                JsonNode state = client.describe(TOPIC).get("partitionStates").get(0);
                assertTrue(state.get("logEndOffset").asLong() >= tieredEnd);
                List<BrokerClient.Fetched> all = client.fetchAll(TOPIC, 0, 0);
                assertTrue(all.size() >= tieredEnd, "every tiered record: " + all.size() + " of " + tieredEnd);
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(i, all.get(i).offset());
                    assertTrue(all.get(i).value().startsWith("entry-" + i + "-"), all.get(i).value());
                }
                long[] next = client.produceTo(TOPIC, 0, null, List.of("after-the-disaster"));
                assertEquals(state.get("logEndOffset").asLong(), next[0]);
            }
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
