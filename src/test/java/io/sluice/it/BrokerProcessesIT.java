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
 * The process fixture: a cluster of three brokers (each its own data dir) on 127.0.0.11, .12 and
 * .13, tiering to one standalone object store process under one prefix, survive {@code kill -9}
 * and {@code SIGSTOP}/{@code SIGCONT} one at a time.
 */
class BrokerProcessesIT {
    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("BrokerProcessesIT")
            .property("sluice.log.maintenance-interval-ms", "200")
            .build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void eachBrokerServesOnItsOwnAddressAndTiersToTheSharedStore() throws IOException {
        for (int id = 0; id < 3; id++) {
            assertEquals(BrokerProcesses.address(id), brokers.broker(id).host());
            assertEquals("127.0.0.1" + (id + 1), brokers.broker(id).host());
        }
        brokers.client(0).createTopic("tiered", 1, 3, Map.of("segment.bytes", "2048", "local.retention.bytes", "0"));
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, "tiered");
        for (int batch = 0; batch < 10; batch++) {
            brokers.client(batch % 3).produceTo("tiered", 0, null, values("batch-" + batch, 10));
        }
        int leader = brokers.client(0).describe("tiered").get("partitionStates").get(0).get("leader").asInt();
        await().atMost(Duration.ofSeconds(30)).until(() -> brokers.client(leader).describe("tiered")
                .get("partitionStates").get(0).get("tieredBytes").asLong() > 0);
        Path prefix = brokers.store().dir().resolve("sluice").resolve("sluice");
        assertTrue(Files.isDirectory(prefix), "the cluster tiers into the shared store, one prefix: " + prefix);
        for (int id = 0; id < 3; id++) {
            List<BrokerClient.Fetched> all = brokers.client(id).fetchAll("tiered", 0, 0);
            assertEquals(100, all.size(), "remote then local, no gap, through broker " + id);
            assertTrue(all.get(0).value().startsWith("batch-0-"), all.get(0).value());
        }
        // What a failed test prints: every broker's output (and the store's), from its own file.
        String tails = brokers.tails();
        assertTrue(tails.contains("---- last output of BrokerProcessesIT-broker-1 (" + brokers.broker(1).logFile()),
                tails);
        assertTrue(Files.readString(brokers.broker(1).logFile())
                .contains("Listening on: http://127.0.0.12:" + brokers.broker(1).port()));
    }

    @Test
    void aBrokerKilledWithSigkillComesBackOnItsAddressWithWhatItAcknowledged() {
        BrokerClient client = brokers.client(0);
        client.createTopic("killed", 1, 3, Map.of());
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, "killed");
        long[] before = client.produceTo("killed", 0, null, values("before", 20));
        long pid = brokers.broker(0).pid();

        brokers.kill9(0);
        assertTrue(!brokers.broker(0).isAlive());
        assertThrows(IOException.class, () -> client.send("GET", "/q/health/live", null));
        assertEquals(200, brokers.client(1).expect(200, "GET", "/q/health/ready", null).status(),
                "the other two keep a majority");

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
            assertEquals(200, get(brokers.broker(0), Duration.ofSeconds(5)), "the other brokers run on");
        } finally {
            brokers.resume(1);
        }
        assertTrue(!paused.isPaused() && paused.isAlive());
        await().atMost(Duration.ofSeconds(10)).until(() -> get(paused, Duration.ofSeconds(2)) == 200);
        brokers.client(1).createTopic("after-pause", 1, Map.of());
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, "after-pause");
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
