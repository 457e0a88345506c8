package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.BrokerClient.Fetched;
import io.sluice.it.BrokerClient.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * README's path for a new user, on the packaged broker with its defaults: {@code java -jar
 * quarkus-run.jar} (what {@code bin/sluice} runs) in a fresh directory, so the data dir is the
 * relative {@code ./data} and the tier is the embedded store under {@code ./data/s3}; HTTP on port
 * 8080 (bound to 127.0.0.1, the one setting a test on a shared machine must add). Then the first
 * session of README, a tiered topic read back from offset 0 over REST and WebSocket once its
 * segments have left the disk, and a graceful restart and a {@code kill -9} after which every
 * acknowledged record is still at its offset. Nothing here uses a setting README does not show:
 * the tests that set {@code sluice.data-dir} to an absolute path never saw the default fail.
 */
class NewUserPathIT {
    private static final String TIERED = "ledger";
    private static final int TIERED_BATCHES = 40;
    private static final int BATCH = 10;
    /** The default maintenance interval is 5 s: uploads and local deletion need a few rounds of it. */
    private static final Duration TIERING_WAIT = Duration.ofSeconds(45);

    @Test
    void readmeStartFirstSessionTieredTopicAndRestartsOnTheDefaults() throws Exception {
        awaitDefaultPortFree();
        Path workDir = BrokerProcess.freshDataDir("NewUserPathIT-cwd");
        try (BrokerProcess broker = BrokerProcess.startAsUser("NewUserPathIT", workDir, Map.of())) {
            BrokerClient client = new BrokerClient(broker);
            assertEquals(BrokerProcess.DEFAULT_PORT, broker.port());

            // README, "A first session"
            JsonNode created = client.createTopic("orders", 3, Map.of());
            assertEquals(3, created.get("partitions").asInt(), created::toString);
            JsonNode ack = client.expect(200, "POST", "/topics/orders/records?acks=all",
                    BrokerClient.JSON.readTree("{\"records\":[{\"key\":\"user-42\",\"value\":{\"amount\":10},"
                            + "\"headers\":{\"source\":\"web\"}}]}")).json().get("offsets").get(0);
            int ordersPartition = ack.get("partition").asInt();
            assertEquals(0, ack.get("offset").asLong(), ack::toString);
            JsonNode fetched = client.expect(200, "GET", "/topics/orders/partitions/" + ordersPartition
                    + "/records?offset=0&timeoutMs=1000", null).json();
            assertEquals(1, fetched.get("records").size(), fetched::toString);
            assertFirstOrder(fetched.get("records").get(0));
            try (WsReader reader = WsReader.open(broker, "topic=orders&from=earliest&credits=100")) {
                assertFirstOrder(reader.awaitRecords(1).get(0));
            }
            // credit-based flow: one record per credit granted, no more
            List<String> more = List.of("o-1", "o-2", "o-3");
            client.produceTo("orders", ordersPartition, List.of("user-42", "user-42", "user-42"), more);
            try (WsReader reader = WsReader.open(broker, "topic=orders&partition=" + ordersPartition
                    + "&offset=0&credits=1")) {
                reader.awaitRecords(1);
                reader.credit(3);
                List<JsonNode> all = reader.awaitRecords(4);
                assertEquals(4, all.size(), "records beyond the credit of 4: " + all);
                for (int i = 0; i < 4; i++) {
                    assertEquals(i, all.get(i).get("offset").asLong());
                }
                assertEquals("o-3", all.get(3).get("value").asText());
            }

            // A tiered topic: small segments, none kept locally once uploaded (topic config, as a user sets it).
            client.createTopic(TIERED, 1, Map.of("segment.bytes", "4096", "local.retention.bytes", "0"));
            List<Fetched> acked = new ArrayList<>();
            for (int b = 0; b < TIERED_BATCHES; b++) {
                List<String> keys = new ArrayList<>();
                List<String> values = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    int n = b * BATCH + i;
                    keys.add("k" + n);
                    values.add("entry-" + n + "-" + "z".repeat(80));
                }
                long[] offsets = client.produceTo(TIERED, 0, keys, values);
                for (int i = 0; i < BATCH; i++) {
                    acked.add(new Fetched(offsets[i], keys.get(i), values.get(i)));
                }
            }
            awaitTiered(client, broker);
            assertEquals(acked, client.fetchAll(TIERED, 0, 0), "every record from offset 0 over REST");
            try (WsReader reader = WsReader.open(broker, "topic=" + TIERED + "&partition=0&offset=0&credits=1000")) {
                List<JsonNode> overWs = reader.awaitRecords(acked.size());
                assertEquals(acked.size(), overWs.size());
                for (int i = 0; i < acked.size(); i++) {
                    assertEquals(acked.get(i).offset(), overWs.get(i).get("offset").asLong());
                    assertEquals(acked.get(i).value(), overWs.get(i).get("value").asText());
                }
            }
            assertHealthy(client);

            broker.stop();
            broker.restart();
            assertEverythingAcked(client, ordersPartition, acked);

            long[] late = client.produceTo(TIERED, 0, List.of("late"), List.of("after-the-restart"));
            acked.add(new Fetched(late[0], "late", "after-the-restart"));
            broker.kill9();
            broker.restart();
            assertEverythingAcked(client, ordersPartition, acked);
            assertHealthy(client);
            assertTrue(Files.isDirectory(workDir.resolve("data")), "the data dir is ./data of the working directory");
        }
    }

    /** Until the first segments are in the store and gone from the disk; the failure says why not. */
    private static void awaitTiered(BrokerClient client, BrokerProcess broker) {
        try {
            await().atMost(TIERING_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode state = client.describe(TIERED).get("partitionStates").get(0);
                return state.get("localLogStartOffset").asLong() > 0 && state.get("tieredBytes").asLong() > 0;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("segments of " + TIERED + " were not uploaded and deleted locally within "
                    + TIERING_WAIT + " on the default data dir ./data; partition state "
                    + client.describe(TIERED).get("partitionStates").get(0) + "; storage health "
                    + health(client, "/q/health/group/storage") + "; broker output:\n" + broker.outputOfThisLaunch(), e);
        }
        JsonNode state = client.describe(TIERED).get("partitionStates").get(0);
        assertEquals(0, state.get("logStartOffset").asLong(), state::toString);
    }

    private static void assertEverythingAcked(BrokerClient client, int ordersPartition, List<Fetched> acked) {
        List<Fetched> orders = client.fetchAll("orders", ordersPartition, 0);
        assertEquals(4, orders.size(), orders::toString);
        assertFirstOrder(client.expect(200, "GET", "/topics/orders/partitions/" + ordersPartition
                + "/records?offset=0&maxRecords=1", null).json().get("records").get(0));
        assertEquals(acked, client.fetchAll(TIERED, 0, 0), "every acknowledged record of " + TIERED + " at its offset");
    }

    private static void assertFirstOrder(JsonNode record) {
        assertEquals(0, record.get("offset").asLong(), record::toString);
        assertEquals("user-42", record.get("key").asText(), record::toString);
        assertEquals(10, record.get("value").get("amount").asInt(), record::toString);
        assertEquals("web", record.get("headers").get("source").asText(), record::toString);
    }

    /** Readiness and the storage group are UP; a store that keeps refusing uploads must not look UP. */
    private static void assertHealthy(BrokerClient client) {
        Reply ready = health(client, "/q/health/ready");
        assertEquals(200, ready.status(), ready::body);
        assertEquals("UP", ready.json().get("status").asText(), ready::body);
        Reply storage = health(client, "/q/health/group/storage");
        assertEquals(200, storage.status(), storage::body);
        assertEquals("UP", storage.json().get("status").asText(), storage::body);
    }

    private static Reply health(BrokerClient client, String path) {
        try {
            return client.send("GET", path, null);
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    /** Port 8080 is README's; another broker on this machine may hold it for a while. */
    static void awaitDefaultPortFree() {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(NewUserPathIT::defaultPortFree);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("port " + BrokerProcess.DEFAULT_PORT + " is taken by another process: this test"
                    + " starts the broker on its default port, as README does; stop what listens there", e);
        }
    }

    private static boolean defaultPortFree() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), BrokerProcess.DEFAULT_PORT));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
