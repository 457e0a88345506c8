package io.sluice.operator.brokers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real HTTP server on 127.0.0.1 that answers as a broker would (or would not). */
class BrokerAdminTest {
    private HttpServer server;
    private BrokerAdmin admin;
    /** path (with query) -> status and body; absent: 404 NOT_FOUND problem as the broker answers unknown routes. */
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, String> requestBodies = new ConcurrentHashMap<>();
    private final CountDownLatch never = new CountDownLatch(1);

    record Reply(int status, String contentType, String body) {
        static Reply json(String body) {
            return new Reply(200, "application/json", body);
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
        admin = new BrokerAdmin(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        never.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        requestBodies.put(key, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Reply reply = replies.get(key);
        if (reply == null) {
            reply = new Reply(404, "application/problem+json",
                    "{\"status\":404,\"code\":\"NOT_FOUND\",\"detail\":\"no route " + key + "\"}");
        }
        if (reply.status() == 0) {
            try {
                never.await(); // a broker that never answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static final String OLD_CLUSTER = "{\"clusterId\":\"c\",\"controller\":1,\"quorum\":true,\"brokers\":["
            + "{\"id\":0,\"host\":\"a\",\"port\":8080,\"rack\":null,\"alive\":true},"
            + "{\"id\":1,\"host\":\"b\",\"port\":8080,\"rack\":null,\"alive\":false}]}";

    @Test
    void readsTheClusterOfABrokerWithoutTheDrainFields() {
        replies.put("GET /cluster", Reply.json(OLD_CLUSTER));
        ClusterInfo cluster = admin.cluster();
        assertEquals(1, cluster.controller());
        assertTrue(cluster.isAlive(0));
        assertFalse(cluster.isAlive(1));
        assertFalse(cluster.isAlive(7));
        assertNull(cluster.underReplicatedPartitions());
        assertFalse(cluster.broker(0).orElseThrow().isDraining());
        assertFalse(cluster.racksKnown());
    }

    @Test
    void takesTheBrokersCountsWhenItReportsThem() {
        replies.put("GET /cluster", Reply.json("{\"clusterId\":\"c\",\"controller\":0,\"quorum\":true,\"brokers\":["
                + "{\"id\":0,\"host\":\"a\",\"port\":8080,\"rack\":\"z1\",\"alive\":true,\"draining\":true}],"
                + "\"underReplicatedPartitions\":2,\"offlinePartitions\":1,\"somethingNew\":[1]}"));
        ReplicationHealth health = admin.replicationHealth();
        assertEquals(new ReplicationHealth(2, 1, ReplicationHealth.Source.CLUSTER, List.of()), health);
        assertTrue(admin.cluster().broker(0).orElseThrow().isDraining());
        assertTrue(admin.cluster().racksKnown());
    }

    @Test
    void countsUnderReplicationOverTheTopicsWhenTheBrokerDoesNotReportIt() {
        replies.put("GET /cluster", Reply.json(OLD_CLUSTER));
        replies.put("GET /topics", Reply.json("[{\"name\":\"a\",\"partitions\":3,\"replicationFactor\":3},"
                + "{\"name\":\"gone\",\"partitions\":1,\"replicationFactor\":1},"
                + "{\"name\":\"unplaced\",\"partitions\":2,\"replicationFactor\":3}]"));
        replies.put("GET /topics/a", Reply.json("{\"name\":\"a\",\"id\":\"x\",\"partitions\":3,\"replicationFactor\":3,"
                + "\"config\":{},\"configOverrides\":{},\"partitionStates\":["
                + "{\"partition\":0,\"leader\":0,\"leaderEpoch\":0,\"replicas\":[0,1,2],\"isr\":[0,1,2],\"highWatermark\":5},"
                + "{\"partition\":1,\"leader\":1,\"leaderEpoch\":3,\"replicas\":[1,2,0],\"isr\":[1,0]},"
                + "{\"partition\":2,\"leader\":-1,\"leaderEpoch\":4,\"replicas\":[2,0,1],\"isr\":[2]}]}"));
        replies.put("GET /topics/gone", new Reply(404, "application/problem+json",
                "{\"status\":404,\"code\":\"TOPIC_NOT_FOUND\",\"detail\":\"topic gone does not exist\"}"));
        replies.put("GET /topics/unplaced", Reply.json("{\"name\":\"unplaced\",\"id\":\"y\",\"partitions\":2,"
                + "\"replicationFactor\":3,\"partitionStates\":[]}"));

        ReplicationHealth health = admin.replicationHealth();

        assertEquals(2, health.underReplicatedPartitions());
        assertEquals(3, health.offlinePartitions(), "one partition without a leader, two never placed");
        assertEquals(ReplicationHealth.Source.COUNTED, health.source());
        assertEquals(2, health.examples().size());
        assertFalse(health.whole());
    }

    @Test
    void drainAsksTheBrokerToWaitAndWaitsLongerItself() {
        replies.put("POST /cluster/brokers/2/drain?timeoutMs=120000",
                Reply.json("{\"broker\":2,\"draining\":true,\"leaderships\":0}"));
        assertEquals(new DrainResult(2, true, 0), admin.drain(2, Duration.ofMinutes(10)), "capped at the broker's maximum");
        replies.put("DELETE /cluster/brokers/2/drain", Reply.json("{\"broker\":2,\"draining\":false,\"leaderships\":4}"));
        assertEquals(new DrainResult(2, false, 4), admin.undrain(2));
    }

    @Test
    void aBrokerWithoutTheDrainRouteSaysSo() {
        BrokerProblemException e = assertThrows(BrokerProblemException.class, () -> admin.drain(1, Duration.ofSeconds(5)));
        assertTrue(e.isUnknownRoute());
        assertEquals(404, e.status());
        assertEquals("POST /cluster/brokers/1/drain?timeoutMs=5000", e.call());
    }

    @Test
    void anUnknownBrokerIsAProblemWithItsCodeNotAnUnknownRoute() {
        replies.put("POST /cluster/brokers/9/drain?timeoutMs=0", new Reply(404, "application/problem+json",
                "{\"status\":404,\"code\":\"BROKER_NOT_FOUND\",\"detail\":\"no broker 9\"}"));
        BrokerProblemException e = assertThrows(BrokerProblemException.class, () -> admin.drain(9, Duration.ZERO));
        assertEquals("BROKER_NOT_FOUND", e.code());
        assertEquals("no broker 9", e.detail());
        assertFalse(e.isUnknownRoute());
    }

    @Test
    void reassignSendsTheTargetsAndReadsTheProgress() {
        String progress = "{\"partitions\":[{\"partition\":0,\"replicas\":[0,1,2,3],\"isr\":[0,1,2],"
                + "\"targetReplicas\":[3,1,2],\"adding\":[3],\"removing\":[0]}]}";
        replies.put("POST /topics/orders/reassignments", new Reply(202, "application/json", progress));
        List<ReassignmentProgress> answer = admin.reassign("orders", Map.of(0, List.of(3, 1, 2)));
        assertEquals("{\"partitions\":[{\"partition\":0,\"replicas\":[3,1,2]}]}",
                requestBodies.get("POST /topics/orders/reassignments"));
        assertEquals(1, answer.size());
        assertTrue(answer.get(0).inProgress());
        assertEquals(List.of(3), answer.get(0).adding());

        replies.put("GET /topics/orders/reassignments", Reply.json("{\"partitions\":[{\"partition\":0,"
                + "\"replicas\":[3,1,2],\"isr\":[3,1,2],\"targetReplicas\":[],\"adding\":[],\"removing\":[]}]}"));
        assertFalse(admin.reassignments("orders").get(0).inProgress());
    }

    @Test
    void aBrokerThatDoesNotAnswerTimesOut() {
        replies.put("GET /topics", new Reply(0, "application/json", ""));
        BrokerAdmin impatient = new BrokerAdmin(admin.base(), Duration.ofMillis(300));
        BrokerUnreachableException e = assertThrows(BrokerUnreachableException.class, impatient::topics);
        assertTrue(e.timedOut());
    }

    @Test
    void aClosedPortIsUnreachable() {
        server.stop(0);
        BrokerUnreachableException e = assertThrows(BrokerUnreachableException.class, admin::cluster);
        assertFalse(e.timedOut());
    }

    @Test
    void anUnreadableAnswerIsAResponseError() {
        replies.put("GET /cluster", Reply.json("[1,2"));
        assertThrows(BrokerResponseException.class, admin::cluster);
    }

    @Test
    void anErrorWithoutAProblemBodyKeepsItsStatus() {
        replies.put("GET /topics", new Reply(503, "text/plain", "busy"));
        BrokerProblemException e = assertThrows(BrokerProblemException.class, admin::topics);
        assertEquals(503, e.status());
        assertNull(e.code());
        assertEquals("busy", e.detail());
    }
}
