package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.BrokerClient.Fetched;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What a graceful stop and start must keep: topics with their config overrides (set at creation
 * and changed later) and their grown partition count, every record at its offset; and what it must
 * not bring back: a deleted topic, its files or its records.
 */
class RestartPersistenceIT {
    private static final long SEED = Long.getLong("sluice.it.seed", 20261125L);

    @Test
    void topicsConfigAndRecordsSurviveARestartAndDeletedTopicsStayDeleted() {
        System.out.println("RestartPersistenceIT seed=" + SEED + " (rerun with -Dsluice.it.seed=" + SEED + ")");
        Random random = new Random(SEED);
        Path dataDir = BrokerProcess.freshDataDir("RestartPersistenceIT");
        try (BrokerProcess broker = BrokerProcess.start("RestartPersistenceIT", dataDir, Map.of())) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic("kept", 2, Map.of("retention.ms", "3600000", "segment.bytes", "1048576",
                    "max.message.bytes", "200000"));
            client.expect(200, "PATCH", "/topics/kept/config", Map.of("retention.bytes", "10000000"));
            client.expect(200, "POST", "/topics/kept/partitions", Map.of("count", 4));
            Map<String, String> overrides = new TreeMap<>(Map.of("retention.ms", "3600000", "segment.bytes", "1048576",
                    "max.message.bytes", "200000", "retention.bytes", "10000000"));

            List<List<Fetched>> kept = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                kept.add(produce(client, "kept", p, 1 + random.nextInt(20), random));
            }
            client.createTopic("dropped", 2, Map.of("segment.bytes", "65536"));
            for (int p = 0; p < 2; p++) {
                produce(client, "dropped", p, 5, random);
            }
            client.expect(204, "DELETE", "/topics/dropped", null);

            int exit = broker.stop();
            System.out.println("graceful stop exit code " + exit);
            broker.restart();

            JsonNode list = client.expect(200, "GET", "/topics", null).json();
            assertEquals(1, list.size(), list::toString);
            assertEquals("kept", list.get(0).get("name").asText());
            assertEquals(4, list.get(0).get("partitions").asInt());
            JsonNode kept0 = client.describe("kept");
            assertEquals(4, kept0.get("partitions").asInt());
            assertEquals(overrides, BrokerClient.JSON.convertValue(kept0.get("configOverrides"), TreeMap.class));
            assertEquals("10000000", kept0.get("config").get("retention.bytes").asText());
            long[] ends = client.logEndOffsets("kept");
            for (int p = 0; p < 4; p++) {
                assertEquals(kept.get(p).size(), ends[p], "log end offset of kept-" + p);
                assertEquals(kept.get(p), client.fetchAll("kept", p, 0), "records of kept-" + p);
                List<Fetched> more = produce(client, "kept", p, 2, random);
                assertEquals(ends[p], more.get(0).offset(), "first offset after the restart, kept-" + p);
            }

            JsonNode gone = client.expect(404, "GET", "/topics/dropped", null).json();
            assertEquals("TOPIC_NOT_FOUND", gone.get("code").asText());
            assertEquals(404, client.fetchReply("dropped", 0, 0, 10).status());
            assertFalse(Files.exists(SegmentFiles.partitionDir(dataDir, "dropped", 0)), "files of the deleted topic");
            // The name is free again, and the new topic starts empty: nothing of the old one comes back.
            client.createTopic("dropped", 1, Map.of());
            assertEquals(0, client.logEndOffsets("dropped")[0]);
            assertEquals(List.of(), client.fetchAll("dropped", 0, 0));
        }
    }

    private static List<Fetched> produce(BrokerClient client, String topic, int partition, int n, Random random) {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = random.nextLong() >>> 1;
            keys.add("k" + id);
            values.add(topic + "-" + partition + "-v" + id);
        }
        long[] offsets = client.produceTo(topic, partition, keys, values);
        List<Fetched> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new Fetched(offsets[i], keys.get(i), values.get(i)));
        }
        return records;
    }
}
