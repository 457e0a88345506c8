package io.sluice.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Idle and stalled connections time out and their number is capped, with short limits so the test
 * is quick; the defaults themselves are checked against what docs/configuration.md says.
 */
@QuarkusTest
@TestProfile(ConnectionLimitsTest.ShortLimits.class)
class ConnectionLimitsTest extends ApiTest {
    static final int MAX_CONNECTIONS = 8;

    public static class ShortLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-connections", Integer.toString(MAX_CONNECTIONS),
                    "sluice.http.body-timeout", "1s",
                    "quarkus.http.idle-timeout", "3s",
                    // Below the idle timeout, as the defaults are (30 s against 60 s).
                    "quarkus.websockets-next.server.auto-ping-interval", "1s");
        }
    }

    @Test
    void aBodyThatDeclares60MbAndStallsIsAnsweredAndClosedWithinTheBodyTimeout() {
        try (RawHttp c = new RawHttp(base)) {
            long start = System.nanoTime();
            String reply = c.send("POST /topics/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (60L * 1024 * 1024) + "\r\n\r\n{\"records\":[").readUntilClosed();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            HttpEdgesTest.assertRawProblem(reply, 408, "INVALID_REQUEST");
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "held for " + took);
        }
    }

    @Test
    void anIdleConnectionIsClosed() {
        try (RawHttp c = new RawHttp(base)) {
            await().atMost(Duration.ofSeconds(10)).until(c::isClosedByServer);
        }
    }

    @Test
    void connectionsOverTheCapAreRefusedWhileAHeldConnectionStillGetsHealth() {
        try (RawHttp monitor = new RawHttp(base)) {
            String health = "GET /q/health/live HTTP/1.1\r\nHost: x\r\n\r\n";
            assertEquals(200, RawHttp.status(monitor.send(health).readReply()));
            List<RawHttp> others = new ArrayList<>();
            try {
                // Silent connections, as an attacker opens them: they count from the moment they are accepted.
                for (int i = 0; i < MAX_CONNECTIONS + 4; i++) {
                    others.add(new RawHttp(base));
                }
                // The monitor holds one of the connections; everything above the cap is closed.
                int overTheCap = others.size() + 1 - MAX_CONNECTIONS;
                java.util.Set<RawHttp> refused = new java.util.HashSet<>();
                await().atMost(Duration.ofSeconds(5)).until(() -> {
                    others.stream().filter(o -> !refused.contains(o) && o.isClosedByServer()).forEach(refused::add);
                    return refused.size() >= overTheCap;
                });
                assertEquals(200, RawHttp.status(monitor.send(health).readReply()));
            } finally {
                others.forEach(RawHttp::close);
            }
            // Once the others are gone, new connections are taken again.
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/q/health/live").status() == 200);
        }
    }

    /** The server's pings keep a live WebSocket reader that receives nothing from being taken for idle. */
    @Test
    void aQuietWebSocketReaderOutlivesTheIdleTimeout() {
        String topic = created("quiet-reader-" + RUN);
        api.createTopic(topic, 1);
        try (WsClient reader = WsClient.open(api.ws("/ws/consume?topic=" + topic + "&partition=0&offset=0"))) {
            reader.awaitFrame("assigned", 0);
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
                    .untilAsserted(() -> assertFalse(reader.isClosed(), "closed as idle"));
        }
    }

    /** The shipped defaults are the ones docs/configuration.md states, and pings come before the idle timeout. */
    @Test
    void theDefaultsAreTheDocumentedOnes() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        String docs = Files.readString(Path.of("docs/configuration.md"));
        for (String key : List.of("quarkus.http.limits.max-connections", "quarkus.http.idle-timeout",
                "quarkus.http.read-timeout", "sluice.http.body-timeout", "quarkus.http.limits.max-body-size",
                "sluice.http.max-uri-length", "sluice.http.max-header-size",
                "quarkus.websockets-next.server.auto-ping-interval")) {
            String value = shipped.getProperty(key);
            assertTrue(value != null, key + " is not set in application.properties");
            assertTrue(docs.lines().anyMatch(l -> l.startsWith("| `" + key + "` |") && l.contains("`" + value + "`")),
                    key + "=" + value + " is not what docs/configuration.md says");
        }
        Duration ping = Duration.parse("PT" + shipped.getProperty("quarkus.websockets-next.server.auto-ping-interval"));
        Duration idle = Duration.parse("PT" + shipped.getProperty("quarkus.http.idle-timeout"));
        assertTrue(ping.compareTo(idle) < 0, "pings every " + ping + " do not keep WebSockets within " + idle);
    }
}
