package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read path's memory under hostile readers, in a small budget (2 MiB, 64 KiB a reader, so 32
 * readers at most, dropped after 3 s without draining): readers that never read hold at most
 * their share and stop reading the log; a reader that reads is still served; health answers
 * within a second; a REST fetch that does not fit gets 503 with Retry-After; one reader too many
 * gets BROKER_BUSY and close 1013; the stalled readers are dropped, and once every socket is gone
 * the budget is back to 0.
 */
@QuarkusTest
@TestProfile(ConsumeBudgetTest.SmallBudget.class)
class ConsumeBudgetTest extends ApiTest {
    private static final long BUDGET = 2 * 1024 * 1024;
    private static final int CONNECTION_BYTES = 64 * 1024;
    private static final int RECORDS = 8_000;
    private static final String VALUE = "v".repeat(1000);

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.consume.outbound-budget-bytes", Long.toString(BUDGET),
                    "sluice.consume.connection-bytes", Integer.toString(CONNECTION_BYTES),
                    "sluice.consume.drain-timeout-ms", "3000");
        }
    }

    @Inject
    ConsumeLimits limits;

    @Inject
    ConsumeSocket consumeSocket;

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong mostUsed = new AtomicLong();

    @AfterEach
    void stopSampling() {
        sampler.shutdownNow();
    }

    private String filledTopic(String name) {
        String t = created("budget-" + name + "-" + RUN);
        api.createTopic(t, 1);
        for (int done = 0; done < RECORDS; done += 500) {
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < 500; i++) {
                body.append(i == 0 ? "" : ",").append("{\"value\":\"").append(VALUE).append("\"}");
            }
            api.produce(t, "?format=string", body.append("]}").toString());
        }
        return t;
    }

    private long healthMillis() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(api.uri("/q/health")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void readersThatNeverReadHoldTheirShareOnlyAndAreDroppedThenEverythingIsReleased() throws Exception {
        assertEquals(32, limits.maxSessions(), "as many readers as fit in the budget at their share");
        String t = filledTopic("stalled");
        Wait.upTo(10).until(() -> limits.outbound().usedBytes() == 0);
        sampler.scheduleAtFixedRate(() -> mostUsed.accumulateAndGet(limits.outbound().usedBytes(), Math::max), 0, 5,
                TimeUnit.MILLISECONDS);
        int stalledCount = limits.maxSessions() - 1;
        List<StalledReader> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < stalledCount; i++) {
                StalledReader r = StalledReader.open(base, "/ws/consume?topic=" + t + "&from=earliest&credits=1000000");
                assertEquals(101, r.status());
                stalled.add(r);
            }
            // Each one's socket fills, then its frames wait in the broker: it holds its share, no more.
            Wait.upTo(30).until(() -> limits.outbound().usedBytes() >= stalledCount * (CONNECTION_BYTES / 4L));
            Wait.upTo(5).during(Duration.ofMillis(300)).until(() -> limits.outbound().usedBytes()
                    <= (long) stalledCount * CONNECTION_BYTES);
            for (int i = 0; i < 3; i++) {
                long ms = healthMillis();
                assertTrue(ms < 1_000, "health answered in " + ms + " ms while readers stalled");
            }

            // A REST fetch that does not fit what is left is refused at once, with Retry-After.
            HttpResponse<String> busy = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    api.uri("/topics/" + t + "/partitions/0/records?offset=0&maxBytes=1048576")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, busy.statusCode(), busy::body);
            assertEquals("BROKER_BUSY", HttpApi.parse(busy.body()).get("code").asText());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
            // A small one still fits.
            JsonNode small = api.fetch(t, 0, "?offset=0&maxBytes=2000&maxRecords=2&format=string");
            assertTrue(small.get("records").size() >= 1);

            // A reader that reads is served beside them: it slows only the stalled ones.
            try (WsClient good = WsClient.open(api.ws("/ws/consume?topic=" + t + "&partition=0&offset=0"
                    + "&credits=2000&format=string"))) {
                Wait.upTo(20).until(() -> good.recordCount() == 2000);
                List<JsonNode> records = good.records();
                for (int i = 0; i < 2000; i++) {
                    assertEquals(i, records.get(i).get("offset").asLong(), "dense, in order, once");
                }
                // The broker is at its reader limit: one more is refused, to try again later.
                try (WsClient extra = WsClient.open(api.ws("/ws/consume?topic=" + t + "&from=earliest"))) {
                    assertEquals(1013, extra.awaitClose(10));
                    assertEquals("BROKER_BUSY", extra.awaitFrame("error", 0).get("code").asText());
                }
                // Readers that did not drain for the drain timeout are dropped; the one that reads is not.
                Wait.upTo(20).until(() -> consumeSocket.openSessions() == 1);
                assertTrue(!good.isClosed());
            }
            Wait.upTo(10).until(() -> consumeSocket.openSessions() == 0);
            Wait.upTo(10).until(() -> limits.outbound().usedBytes() == 0);
            assertTrue(mostUsed.get() <= BUDGET, "never above the budget: " + mostUsed.get());
            assertTrue(limits.outbound().refusals() > 0);
        } finally {
            stalled.forEach(StalledReader::close);
        }
        // Slots came back: a new reader is taken.
        try (WsClient again = WsClient.open(api.ws("/ws/consume?topic=" + t + "&partition=0&offset=7990"))) {
            Wait.upTo(10).until(() -> again.recordCount() == 10);
        }
        Wait.upTo(10).until(() -> limits.outbound().usedBytes() == 0 && consumeSocket.openSessions() == 0);
    }

    @Test
    void socketsClosedWhileStalledReturnTheirShareAtOnce() {
        String t = filledTopic("closed");
        Wait.upTo(10).until(() -> limits.outbound().usedBytes() == 0 && consumeSocket.openSessions() == 0);
        List<StalledReader> stalled = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stalled.add(StalledReader.open(base, "/ws/consume?topic=" + t + "&from=earliest&credits=1000000"));
        }
        Wait.upTo(30).until(() -> limits.outbound().usedBytes() >= 10 * (CONNECTION_BYTES / 4L));
        stalled.forEach(StalledReader::close); // dropped before the drain timeout, as a crashed client
        Wait.upTo(2).until(() -> consumeSocket.openSessions() == 0);
        Wait.upTo(2).until(() -> limits.outbound().usedBytes() == 0);
    }

    /**
     * A client that sends bad messages and reads none of the error frames they earn would make the
     * broker queue frames without end; once 32 wait unsent it is dropped.
     */
    @Test
    void aClientThatSendsBadMessagesAndReadsNoReplyIsDropped() {
        String t = created("budget-chatty-" + RUN);
        api.createTopic(t, 1);
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == 0);
        try (StalledReader chatty = StalledReader.open(base, "/ws/consume?topic=" + t + "&partition=0&offset=0"
                + "&credits=0")) {
            assertEquals(101, chatty.status());
            Wait.upTo(10).until(() -> consumeSocket.openSessions() == 1);
            int sent = 0;
            while (sent < 200_000 && chatty.sendText("not json")) {
                sent++;
            }
            Wait.upTo(10).until(() -> consumeSocket.openSessions() == 0);
        }
        Wait.upTo(10).until(() -> limits.outbound().usedBytes() == 0);
        // Others are not affected.
        try (WsClient c = WsClient.open(api.ws("/ws/consume?topic=" + t + "&partition=0&offset=0"))) {
            c.awaitFrame("assigned", 0);
        }
    }
}
