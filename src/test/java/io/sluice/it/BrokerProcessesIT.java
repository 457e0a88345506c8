package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The process fixture on what the broker does today: two independent brokers (each its own data
 * dir and bucket prefix) on 127.0.0.11 and 127.0.0.12, tiering to one standalone object store
 * process, survive {@code kill -9} and {@code SIGSTOP}/{@code SIGCONT} one at a time.
 */
class BrokerProcessesIT {
    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("BrokerProcessesIT").brokers(2)
            .property("sluice.log.maintenance-interval-ms", "200")
            // Not a cluster yet: brokers that shared a prefix would restore each other's topics at start.
            .brokerProperty(0, "sluice.tier.s3.prefix", "independent-0")
            .brokerProperty(1, "sluice.tier.s3.prefix", "independent-1")
            .build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void eachBrokerServesOnItsOwnAddressAndTiersToTheSharedStore() {
        for (int id = 0; id < 2; id++) {
            assertEquals(BrokerProcesses.address(id), brokers.broker(id).host());
            assertEquals("127.0.0.1" + (id + 1), brokers.broker(id).host());
            BrokerClient client = brokers.client(id);
            client.createTopic("tiered", 1, Map.of("segment.bytes", "2048", "local.retention.bytes", "0"));
            for (int batch = 0; batch < 10; batch++) {
                client.produceTo("tiered", 0, null, values("broker-" + id + "-batch-" + batch, 10));
            }
        }
        for (int id = 0; id < 2; id++) {
            BrokerClient client = brokers.client(id);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    client.describe("tiered").get("partitionStates").get(0).get("tieredBytes").asLong() > 0);
            Path prefix = brokers.store().dir().resolve("sluice").resolve("independent-" + id);
            assertTrue(Files.isDirectory(prefix), "broker " + id + " tiers into the shared store: " + prefix);
            List<BrokerClient.Fetched> all = client.fetchAll("tiered", 0, 0);
            assertEquals(100, all.size(), "remote then local, no gap");
            assertTrue(all.get(0).value().startsWith("broker-" + id + "-batch-0-"), all.get(0).value());
        }
        // What a failed test prints: every broker's output (and the store's), from its own file.
        String tails = brokers.tails();
        assertTrue(tails.contains("---- last output of BrokerProcessesIT-broker-1")
                && tails.contains("Listening on: http://127.0.0.12:" + brokers.broker(1).port()), tails);
    }

    @Test
    void aBrokerKilledWithSigkillComesBackOnItsAddressWithWhatItAcknowledged() {
        BrokerClient client = brokers.client(0);
        client.createTopic("killed", 1, Map.of());
        long[] before = client.produceTo("killed", 0, null, values("before", 20));
        long pid = brokers.broker(0).pid();

        brokers.kill9(0);
        assertTrue(!brokers.broker(0).isAlive());
        assertThrows(IOException.class, () -> client.send("GET", "/q/health/live", null));
        assertEquals(200, brokers.client(1).expect(200, "GET", "/q/health/ready", null).status(),
                "the other broker does not notice");

        brokers.restart(0);
        assertNotEquals(pid, brokers.broker(0).pid());
        assertEquals("127.0.0.11", brokers.broker(0).host());
        assertEquals(20, client.fetchAll("killed", 0, 0).size(), "every acknowledged record (acks=all, fsync)");
        long[] after = client.produceTo("killed", 0, null, values("after", 1));
        assertEquals(before[before.length - 1] + 1, after[0]);
    }

    @Test
    void aPausedBrokerAnswersNothingUntilItIsResumed() throws Exception {
        BrokerProcess paused = brokers.broker(1);
        brokers.pause(1);
        try {
            assertTrue(paused.isPaused());
            // The kernel still accepts the connection into the listener's backlog; no answer comes.
            assertThrows(HttpTimeoutException.class, () -> get(paused, Duration.ofSeconds(1)));
            assertEquals(200, get(brokers.broker(0), Duration.ofSeconds(5)), "the other broker runs on");
        } finally {
            brokers.resume(1);
        }
        assertTrue(!paused.isPaused() && paused.isAlive());
        await().atMost(Duration.ofSeconds(10)).until(() -> get(paused, Duration.ofSeconds(2)) == 200);
        brokers.client(1).createTopic("after-pause", 1, Map.of());
        assertEquals(0, brokers.client(1).produceTo("after-pause", 0, null, values("resumed", 1))[0]);
    }

    private int get(BrokerProcess broker, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(broker.uri("/q/health/ready")).timeout(timeout).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<String> values(String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(prefix + "-" + i + "-" + "v".repeat(60));
        }
        return values;
    }
}
