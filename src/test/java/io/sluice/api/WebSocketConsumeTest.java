package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.broker.Broker;
import io.sluice.log.PartitionLog;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code /ws/consume} (API.md): credit-based flow control, live delivery of appends, several
 * partitions, resources released on close, and error frames for bad queries and bad messages.
 */
@QuarkusTest
class WebSocketConsumeTest extends ApiTest {
    private static final long SEED = 7_340_033L;

    @Inject
    ConsumeSocket consumeSocket;

    @Inject
    Broker broker;

    private String topic(String name, int partitions) {
        String t = "wsc-" + name + "-" + RUN;
        api.createTopic(t, partitions);
        created(t);
        return t;
    }

    /**
     * The open session count once it has held still for a moment: a socket a previous test closed
     * may still be on its way out on the server when this one starts.
     */
    private int settledOpenSessions() {
        int[] last = {-1};
        Wait.upTo(10).during(Duration.ofMillis(200)).until(() -> {
            int now = consumeSocket.openSessions();
            boolean same = now == last[0];
            last[0] = now;
            return same;
        });
        return last[0];
    }

    /** Produces {@code count} records to one partition; record i has the value {@code first + i}. */
    private void fill(String topic, int partition, int first, int count) {
        for (int done = 0; done < count; ) {
            int n = Math.min(250, count - done);
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < n; i++) {
                body.append(i == 0 ? "" : ",").append("{\"value\":").append(first + done + i)
                        .append(",\"partition\":").append(partition).append('}');
            }
            api.produce(topic, "", body.append("]}").toString());
            done += n;
        }
    }

    private WsClient consume(String query) {
        return WsClient.open(api.ws("/ws/consume?" + query));
    }

    @Test
    void theServerNeverSendsPastTheCredit() {
        Random rnd = new Random(SEED);
        System.out.println("WebSocketConsumeTest.theServerNeverSendsPastTheCredit: seed " + SEED);
        String t = topic("credit", 1);
        fill(t, 0, 0, 1000);
        AtomicLong granted = new AtomicLong(10);
        try (WsClient c = WsClient.open(api.ws("/ws/consume?topic=" + t + "&from=earliest&credits=10"),
                granted::get)) {
            Wait.upTo(10).until(() -> c.recordCount() == 10);
            Wait.upTo(2).during(Duration.ofMillis(700)).until(() -> c.recordCount() == 10);
            int steps = 0;
            while (granted.get() < 1000) {
                int step = 1 + rnd.nextInt(60);
                long total = granted.addAndGet(step); // raised before the grant is sent, so it is never behind
                c.send("{\"type\":\"credit\",\"records\":" + step + "}");
                long expect = Math.min(total, 1000);
                Wait.upTo(10).until(() -> c.recordCount() >= expect);
                assertEquals(expect, c.recordCount(), "after granting " + total);
                steps++;
            }
            assertTrue(steps > 10);
            // More credit than there are records: nothing beyond the log end, nothing twice.
            granted.addAndGet(100);
            c.send("{\"type\":\"credit\",\"records\":100}");
            Wait.upTo(2).during(Duration.ofMillis(300)).until(() -> c.recordCount() == 1000);
            assertEquals(List.of(), c.violations());
            List<JsonNode> records = c.records();
            assertEquals(1000, records.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, records.get(i).get("offset").asLong(), "offsets in order, no gap, no duplicate");
                assertEquals(i, records.get(i).get("value").asInt());
            }
        }
    }

    @Test
    void aReaderFromOffsetZeroCrossesFromTheTierToTheLocalLog() {
        String t = "wsc-tier-" + RUN;
        api.createTopic(t, 1, Map.of("segment.bytes", "2048", "local.retention.bytes", "0"));
        created(t);
        fill(t, 0, 0, 600);
        Wait.upTo(30).until(() -> api.describe(t).get("partitionStates").get(0).get("localLogStartOffset").asLong() > 0);
        JsonNode state = api.describe(t).get("partitionStates").get(0);
        assertEquals(0, state.get("logStartOffset").asLong());
        assertTrue(state.get("tieredBytes").asLong() > 0);
        try (WsClient c = consume("topic=" + t + "&partition=0&offset=0&credits=1000")) {
            Wait.upTo(30).until(() -> c.recordCount() == 600);
            List<JsonNode> records = c.records();
            for (int i = 0; i < 600; i++) {
                assertEquals(i, records.get(i).get("offset").asLong(), "no gap, no duplicate at the boundary");
                assertEquals(i, records.get(i).get("value").asInt());
            }
        }
    }

    /**
     * A compacted partition whose closed segments lost every record but their key's latest: a reader
     * from offset 0 starts in a gap and must move past it (the read there returns no record, only a
     * next offset), then gets the records left, at their original offsets.
     */
    @Test
    void aReaderOfACompactedPartitionMovesPastItsGaps() throws Exception {
        String t = "wsc-compacted-" + RUN;
        api.createTopic(t, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "2048",
                "remote.storage.enable", "false"));
        created(t);
        for (int done = 0; done < 400; done += 100) {
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = done; i < done + 100; i++) {
                body.append(i == done ? "" : ",").append("{\"key\":\"k\",\"value\":").append(i)
                        .append(",\"partition\":0}");
            }
            api.produce(t, "", body.append("]}").toString());
        }
        PartitionLog log = broker.topic(t).log(0);
        broker.logCleaner().cleanNow(log);
        PartitionLog.ReadResult first = log.read(0, 1 << 20, 1000);
        assertTrue(first.records().isEmpty() || first.records().get(0).offset() > 0, "offset 0 was compacted away");
        List<Long> expected = new ArrayList<>();
        for (long next = 0; next < log.highWatermark(); ) {
            PartitionLog.ReadResult r = log.read(next, 1 << 20, 1000);
            r.records().forEach(rec -> expected.add(rec.offset()));
            next = r.nextOffset();
        }
        assertTrue(expected.size() < 400, "compacted: " + expected.size());
        try (WsClient c = consume("topic=" + t + "&partition=0&offset=0&credits=1000")) {
            Wait.upTo(30).until(() -> c.recordCount() == expected.size());
            List<JsonNode> records = c.records();
            for (int i = 0; i < expected.size(); i++) {
                assertEquals((long) expected.get(i), records.get(i).get("offset").asLong());
                assertEquals((long) expected.get(i), records.get(i).get("value").asLong(), "the value written at that offset");
            }
            assertEquals(399, records.get(records.size() - 1).get("value").asInt());
            assertTrue(c.frames("error").isEmpty(), () -> "no error frame: " + c.frames("error"));
        }
    }

    @Test
    void largeFramesArriveWhole() {
        String t = topic("large", 1);
        String value = "x".repeat(4000);
        for (int r = 0; r < 3; r++) {
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < 100; i++) {
                body.append(i == 0 ? "" : ",").append("{\"value\":\"").append(value).append("\"}");
            }
            api.produce(t, "?format=string", body.append("]}").toString());
        }
        try (WsClient c = consume("topic=" + t + "&from=earliest&format=string")) {
            Wait.upTo(10).until(() -> c.recordCount() == 300);
            List<JsonNode> records = c.records();
            for (int i = 0; i < 300; i++) {
                assertEquals(i, records.get(i).get("offset").asLong());
                assertEquals(value, records.get(i).get("value").textValue());
            }
        }
    }

    @Test
    void creditsZeroSendsNothingUntilCreditArrives() {
        String t = topic("credit-zero", 1);
        fill(t, 0, 0, 5);
        try (WsClient c = WsClient.open(api.ws("/ws/consume?topic=" + t + "&partition=0&offset=0&credits=0"),
                () -> 0)) {
            c.awaitFrame("assigned", 0);
            Wait.upTo(2).during(Duration.ofMillis(300)).until(() -> c.recordCount() == 0);
            assertEquals(List.of(), c.violations());
        }
    }

    @Test
    void recordsAppendedAfterOpeningArriveUnasked() {
        String t = topic("live", 2);
        fill(t, 0, 100, 3);
        fill(t, 1, 200, 4);
        try (WsClient latest = consume("topic=" + t + "&from=latest");
                WsClient atEnd = consume("topic=" + t + "&partition=1&offset=4")) {
            JsonNode assigned = latest.awaitFrame("assigned", 0);
            assertEquals(2, assigned.get("partitions").size());
            Map<Integer, Long> start = new HashMap<>();
            assigned.get("partitions").forEach(p -> {
                assertEquals(t, p.get("topic").asText());
                start.put(p.get("partition").asInt(), p.get("offset").asLong());
            });
            assertEquals(Map.of(0, 3L, 1, 4L), start, "from=latest starts at the log end");
            JsonNode assignedAtEnd = atEnd.awaitFrame("assigned", 0);
            assertEquals(4, assignedAtEnd.get("partitions").get(0).get("offset").asLong());
            Wait.upTo(2).during(Duration.ofMillis(200))
                    .until(() -> latest.recordCount() == 0 && atEnd.recordCount() == 0);

            fill(t, 0, 1000, 5);
            fill(t, 1, 2000, 5);
            Wait.upTo(10).until(() -> latest.recordCount() == 10 && atEnd.recordCount() == 5);
            Map<Integer, List<Long>> offsets = new HashMap<>();
            for (JsonNode r : latest.records()) {
                int p = r.get("partition").asInt();
                offsets.computeIfAbsent(p, k -> new ArrayList<>()).add(r.get("offset").asLong());
                assertEquals((p == 0 ? 1000 : 2000) + r.get("offset").asLong() - (p == 0 ? 3 : 4),
                        r.get("value").asLong());
            }
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), offsets.get(0));
            assertEquals(List.of(4L, 5L, 6L, 7L, 8L), offsets.get(1));
            List<JsonNode> one = atEnd.records();
            for (int i = 0; i < 5; i++) {
                assertEquals(1, one.get(i).get("partition").asInt());
                assertEquals(4 + i, one.get(i).get("offset").asLong());
                assertEquals(2000 + i, one.get(i).get("value").asInt());
            }
            // Still live: a second round arrives too.
            fill(t, 0, 3000, 1);
            Wait.upTo(10).until(() -> latest.recordCount() == 11);
        }
    }

    @Test
    void earliestOverSeveralTopicsAndPartitionsGetsEverything() {
        String a = topic("many-a", 4);
        String b = topic("many-b", 2);
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 200; i++) {
            body.append(i == 0 ? "" : ",").append("{\"key\":\"key-").append(i).append("\",\"value\":").append(i)
                    .append('}');
        }
        api.produce(a, "", body.append("]}").toString());
        fill(b, 0, 0, 30);
        fill(b, 1, 30, 20);
        Map<String, Long> ends = new HashMap<>();
        List<Long> endsA = api.logEndOffsets(a);
        for (int p = 0; p < 4; p++) {
            ends.put(a + "/" + p, endsA.get(p));
        }
        ends.put(b + "/0", 30L);
        ends.put(b + "/1", 20L);
        try (WsClient c = consume("topic=" + a + "&topic=" + b + "&from=earliest")) {
            JsonNode assigned = c.awaitFrame("assigned", 0);
            assertEquals(6, assigned.get("partitions").size());
            assigned.get("partitions").forEach(p -> assertEquals(0, p.get("offset").asLong()));
            Wait.upTo(10).until(() -> c.recordCount() >= 250);
            Wait.upTo(2).during(Duration.ofMillis(200)).until(() -> c.recordCount() == 250);
            Map<String, List<Long>> seen = new HashMap<>();
            List<Integer> valuesOfA = new ArrayList<>();
            for (JsonNode r : c.records()) {
                String key = r.get("topic").asText() + "/" + r.get("partition").asInt();
                seen.computeIfAbsent(key, k -> new ArrayList<>()).add(r.get("offset").asLong());
                if (r.get("topic").asText().equals(a)) {
                    valuesOfA.add(r.get("value").asInt());
                }
            }
            assertEquals(ends.keySet(), seen.keySet());
            for (Map.Entry<String, List<Long>> e : seen.entrySet()) {
                List<Long> dense = new ArrayList<>();
                for (long o = 0; o < ends.get(e.getKey()); o++) {
                    dense.add(o);
                }
                assertEquals(dense, e.getValue(), "every offset of " + e.getKey() + " once, in order");
            }
            valuesOfA.sort(null);
            for (int i = 0; i < 200; i++) {
                assertEquals(i, valuesOfA.get(i));
            }
        }
    }

    @Test
    void aClosedSocketReleasesItsSession() {
        String t = topic("release", 3);
        fill(t, 0, 0, 2);
        int before = settledOpenSessions();
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(consume("topic=" + t + "&from=earliest"));
        }
        for (WsClient c : clients) {
            Wait.upTo(10).until(() -> c.recordCount() == 2);
        }
        assertEquals(before + 3, consumeSocket.openSessions());
        List<PartitionLog> logs = broker.topic(t).logs();
        Wait.upTo(10).until(() -> logs.stream().allMatch(l -> l.waitingReaders() == 3));
        clients.get(0).close();
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before + 2);
        clients.get(1).abort(); // no close handshake, as a crashed client
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before + 1);
        clients.get(2).close();
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before);
        Wait.upTo(10).until(() -> logs.stream().allMatch(l -> l.waitingReaders() == 0));

        // A refused connection holds nothing either.
        try (WsClient refused = consume("topic=wsc-ghost-" + RUN)) {
            refused.awaitClose(10);
        }
        assertEquals(before, consumeSocket.openSessions());

        // The released readers were parked on the partitions; appends and new readers still work.
        fill(t, 0, 2, 3);
        try (WsClient fresh = consume("topic=" + t + "&partition=0&offset=0")) {
            Wait.upTo(10).until(() -> fresh.recordCount() == 5);
        }
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before);
    }

    @Test
    void badQueriesGetAnErrorFrameAndAClose() {
        String t = topic("bad-query", 2);
        String u = topic("bad-query-other", 1);
        fill(t, 0, 0, 3);
        String[][] queries = {{"", "INVALID_REQUEST"}, {"from=earliest", "INVALID_REQUEST"},
                {"topic=wsc-ghost-" + RUN, "TOPIC_NOT_FOUND"},
                {"topic=" + t + "&topic=wsc-ghost-" + RUN, "TOPIC_NOT_FOUND"},
                {"topic=" + t + "&partition=0&offset=abc", "INVALID_OFFSET"},
                {"topic=" + t + "&partition=0&offset=-1", "INVALID_OFFSET"},
                {"topic=" + t + "&partition=0&offset=4", "OFFSET_OUT_OF_RANGE"},
                {"topic=" + t + "&partition=2", "PARTITION_NOT_FOUND"},
                {"topic=" + t + "&partition=-1", "INVALID_REQUEST"},
                {"topic=" + t + "&partition=x", "INVALID_REQUEST"},
                {"topic=" + t + "&offset=0", "INVALID_REQUEST"},
                {"topic=" + t + "&topic=" + u + "&partition=0", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&partition=0", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&offset=0", "INVALID_REQUEST"},
                {"topic=" + t + "&group=", "INVALID_GROUP_ID"},
                {"topic=" + t + "&group=" + "g".repeat(250), "INVALID_GROUP_ID"},
                {"topic=" + t + "&group=a%01b", "INVALID_GROUP_ID"},
                {"topic=" + t + "&group=g1&assignor=greedy", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&rebalance=lazy", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&sessionTimeoutMs=999", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&sessionTimeoutMs=1800001", "INVALID_REQUEST"},
                {"topic=" + t + "&group=g1&autoCommitIntervalMs=0", "INVALID_REQUEST"},
                {"topic=wsc-ghost-" + RUN + "&group=g1", "TOPIC_NOT_FOUND"},
                {"topic=" + t + "&assignor=range", "INVALID_REQUEST"},
                {"topic=" + t + "&sessionTimeoutMs=5000", "INVALID_REQUEST"},
                {"topic=" + t + "&from=middle", "INVALID_REQUEST"},
                {"topic=" + t + "&credits=-1", "INVALID_REQUEST"},
                {"topic=" + t + "&credits=lots", "INVALID_REQUEST"},
                {"topic=" + t + "&format=xml", "INVALID_REQUEST"},
                {"topic=" + t + "&keyFormat=xml", "INVALID_REQUEST"}};
        int before = settledOpenSessions();
        for (String[] q : queries) {
            try (WsClient c = consume(q[0])) {
                int code = c.awaitClose(10);
                assertEquals(1008, code, q[0]);
                List<JsonNode> frames = c.frames();
                assertEquals(1, frames.size(), () -> q[0] + ": " + frames);
                JsonNode error = frames.get(0);
                assertEquals("error", error.get("type").asText(), q[0]);
                assertEquals(q[1], error.get("code").asText(), () -> q[0] + ": " + error);
                assertFalse(error.path("message").asText().isBlank(), q[0]);
            }
        }
        assertEquals(before, consumeSocket.openSessions());
    }

    /**
     * REST refuses unknown fields; {@code /ws/consume} used to ignore unknown query parameters, so a
     * misspelt {@code ofset=0} silently read from the end. Unknown or repeated parameters are now
     * refused with INVALID_REQUEST naming the parameter, then close 1008.
     */
    @Test
    void unknownOrRepeatedQueryParametersAreRefusedByName() {
        String t = topic("unknown-param", 1);
        fill(t, 0, 0, 3);
        String[][] queries = {{"topic=" + t + "&partition=0&ofset=0", "ofset"},
                {"topic=" + t + "&from=earliest&credit=5", "credit"},
                {"topic=" + t + "&bogus", "bogus"},
                {"topic=" + t + "&partition=0&partition=0", "partition"},
                {"topic=" + t + "&from=earliest&from=latest", "from"},
                {"topic=" + t + "&autoCommit=maybe", "autoCommit"},
                {"topic=" + t + "&group=g1&groupp=g2", "groupp"}};
        int before = settledOpenSessions();
        for (String[] q : queries) {
            try (WsClient c = consume(q[0])) {
                assertEquals(1008, c.awaitClose(10), q[0]);
                JsonNode error = c.frames().get(0);
                assertEquals("INVALID_REQUEST", error.get("code").asText(), () -> q[0] + ": " + error);
                assertTrue(error.get("message").asText().contains("'" + q[1] + "'"), () -> q[0] + ": " + error);
                assertEquals(0, c.recordCount());
            }
        }
        // Every known parameter together is still accepted.
        try (WsClient c = consume("topic=" + t + "&partition=0&offset=1&from=earliest&autoCommit=false&format=json"
                + "&keyFormat=string&credits=10")) {
            Wait.upTo(10).until(() -> c.recordCount() == 2);
        }
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before);
    }

    @Test
    void badMessagesGetAnErrorFrameAndTheConnectionStaysUsable() {
        String t = topic("bad-message", 2);
        fill(t, 0, 0, 20);
        try (WsClient c = consume("topic=" + t + "&partition=0&offset=0&credits=5")) {
            Wait.upTo(10).until(() -> c.recordCount() == 5);
            String[][] messages = {{"{", "INVALID_REQUEST"}, {"not json", "INVALID_REQUEST"},
                    {"[]", "INVALID_REQUEST"}, {"42", "INVALID_REQUEST"}, {"null", "INVALID_REQUEST"},
                    {"{}", "INVALID_REQUEST"}, {"{\"type\":1}", "INVALID_REQUEST"},
                    {"{\"records\":5}", "INVALID_REQUEST"}, {"{\"type\":\"nope\"}", "INVALID_REQUEST"},
                    {"{\"type\":\"CREDIT\",\"records\":5}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\",\"records\":0}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\",\"records\":-5}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\",\"records\":\"5\"}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\",\"records\":1.5}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\"}", "INVALID_REQUEST"},
                    {"{\"type\":\"credit\",\"records\":2147483648}", "INVALID_REQUEST"},
                    {"{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":0,\"offset\":5}]}",
                            "UNSUPPORTED"},
                    {"{\"type\":\"seek\"}", "INVALID_REQUEST"},
                    {"{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":\"3\"}", "INVALID_REQUEST"},
                    {"{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":1,\"offset\":0}",
                            "PARTITION_NOT_FOUND"},
                    {"{\"type\":\"seek\",\"topic\":\"other\",\"partition\":0,\"offset\":0}", "PARTITION_NOT_FOUND"},
                    {"{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":21}",
                            "OFFSET_OUT_OF_RANGE"},
                    {"{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":-1}",
                            "OFFSET_OUT_OF_RANGE"}};
            for (int i = 0; i < messages.length; i++) {
                String message = messages[i][0];
                c.send(message);
                JsonNode error = c.awaitFrame("error", i);
                assertEquals(messages[i][1], error.get("code").asText(), () -> message + ": " + error);
                assertFalse(error.path("message").asText().isBlank());
                assertFalse(c.isClosed(), message);
            }
            assertEquals(5, c.recordCount(), "no bad message granted credit");

            c.send("{\"type\":\"credit\",\"records\":3}");
            Wait.upTo(10).until(() -> c.recordCount() == 8);
            c.send("{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":2}");
            c.send("{\"type\":\"credit\",\"records\":4}");
            Wait.upTo(10).until(() -> c.recordCount() == 12);
            c.send("{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":19}");
            c.send("{\"type\":\"credit\",\"records\":10}");
            Wait.upTo(10).until(() -> c.recordCount() == 13);
            List<Long> offsets = new ArrayList<>();
            c.records().forEach(r -> offsets.add(r.get("offset").asLong()));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 2L, 3L, 4L, 5L, 19L), offsets);
            // Seeking to the log end parks the reader there; the next append arrives.
            c.send("{\"type\":\"seek\",\"topic\":\"" + t + "\",\"partition\":0,\"offset\":20}");
            fill(t, 0, 20, 1);
            Wait.upTo(10).until(() -> c.recordCount() == 14);
            assertEquals(20, c.records().get(13).get("offset").asLong());
            assertEquals(messages.length, c.frames("error").size());
        }
    }

    /**
     * A reader parked at the end of a partition whose topic is deleted is woken by the log's close.
     * It used to park again at once on the closed log, which wakes every waiter immediately: the
     * session spun on the fetch pool for as long as the client stayed connected, and the client was
     * never told. Now it gets an error frame and a close, as does a reader that was not parked.
     */
    @Test
    void readersOfADeletedTopicAreToldAndClosed() {
        String t = topic("deleted", 1);
        fill(t, 0, 0, 2);
        int before = settledOpenSessions();
        try (WsClient caughtUp = consume("topic=" + t + "&from=earliest");
                WsClient behind = consume("topic=" + t + "&partition=0&offset=0&credits=0")) {
            Wait.upTo(10).until(() -> caughtUp.recordCount() == 2);
            behind.awaitFrame("assigned", 0);
            assertEquals(204, api.delete("/topics/" + t).status());
            caughtUp.awaitClose(10);
            JsonNode error = caughtUp.awaitFrame("error", 0);
            assertEquals("TOPIC_NOT_FOUND", error.get("code").asText(), error::toString);

            assertFalse(behind.isClosed());
            behind.send("{\"type\":\"credit\",\"records\":10}");
            behind.awaitClose(10);
            assertEquals("TOPIC_NOT_FOUND", behind.awaitFrame("error", 0).get("code").asText());
            assertEquals(0, behind.recordCount());
        }
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before);
    }

    /**
     * A reader holds its topic by id, not only by name: one that had not read yet when its topic was
     * deleted and another of the same name created is told its topic was deleted, and is sent nothing
     * of the new one (the broker is addressed by name, so the read itself would find the new topic).
     */
    @Test
    void aReaderIsNeverHandedTheNewTopicOfADeletedOnesName() {
        String t = topic("reborn", 1);
        fill(t, 0, 0, 2);
        int before = settledOpenSessions();
        try (WsClient behind = consume("topic=" + t + "&partition=0&offset=0&credits=0")) {
            behind.awaitFrame("assigned", 0);
            assertEquals(204, api.delete("/topics/" + t).status());
            api.createTopic(t, 1);
            fill(t, 0, 100, 5);
            behind.send("{\"type\":\"credit\",\"records\":10}");
            behind.awaitClose(10);
            assertEquals("TOPIC_NOT_FOUND", behind.awaitFrame("error", 0).get("code").asText());
            assertEquals(0, behind.recordCount());
        }
        Wait.upTo(10).until(() -> consumeSocket.openSessions() == before);
    }
}
