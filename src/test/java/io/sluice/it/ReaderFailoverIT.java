package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.ClusterChecks.PartitionView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A WebSocket reader keeps reading across changes of leader without a gap or a duplicate: one on a
 * broker that stays up reads a partition from offset 0 while its leader is killed ({@code kill -9}),
 * and then while the next leader is drained away. What it receives is the partition, offset after
 * offset, each once, with every acknowledged record at its acknowledged offset; the client never
 * learns where the leader is.
 */
class ReaderFailoverIT {
    private static final String TOPIC = "follow";
    private static final int[] ALL = {0, 1, 2};

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("ReaderFailoverIT").build();

    @Test
    void aReaderReadsEveryRecordOnceInOrderAcrossAKilledAndADrainedLeader() {
        brokers.client(0).createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"));
        ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);
        PartitionView first = ClusterChecks.describe(brokers, TOPIC, 0, 0);
        int reading = (first.leader() + 1) % 3; // never stopped: the reader's socket stays open throughout
        ChaosProducer producer = new ChaosProducer(brokers, TOPIC, 1, reading, "follow");
        try (WsReader reader = WsReader.open(brokers.broker(reading),
                "topic=" + TOPIC + "&partition=0&offset=0&credits=100000")) {
            awaitAcksSince(producer, System.nanoTime());
            int seen = reader.awaitRecords(1).size();

            brokers.kill9(first.leader());
            PartitionView second = ClusterChecks.awaitNewLeader(brokers, TOPIC, 0, reading, first);
            awaitAcksSince(producer, System.nanoTime());
            seen = reader.awaitRecords(seen + 1).size(); // from the new leader, on the same socket
            brokers.broker(first.leader()).launch();
            brokers.broker(first.leader()).awaitReady();
            ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);

            int drained = second.leader();
            brokers.client(reading).expect(200, "POST", "/cluster/brokers/" + drained + "/drain?timeoutMs=30000",
                    null);
            PartitionView third = ClusterChecks.awaitNewLeader(brokers, TOPIC, 0, reading, second);
            assertTrue(third.leader() != drained, third::toString);
            awaitAcksSince(producer, System.nanoTime());
            reader.awaitRecords(seen + 1);
            brokers.client(reading).expect(200, "DELETE", "/cluster/brokers/" + drained + "/drain", null);

            producer.close();
            long end = ClusterChecks.awaitQuiet(brokers, TOPIC, 1)[0];
            List<JsonNode> received = reader.awaitRecords((int) end);
            Map<String, Long> offsets = new HashMap<>();
            for (int i = 0; i < received.size(); i++) {
                JsonNode r = received.get(i);
                assertEquals(i, r.get("offset").asLong(), () -> "a gap or a duplicate at the reader: " + r);
                assertEquals(null, offsets.put(r.get("value").asText(), (long) r.get("offset").asLong()),
                        () -> "the same record twice: " + r);
            }
            assertEquals(end, received.size(), "the reader got records past the end of the partition");
            producer.acked().forEach((id, ack) -> assertEquals(ack.offset(), offsets.get(id),
                    () -> "acknowledged " + id + " at " + ack.offset()));
            for (String refused : producer.refused()) {
                assertFalse(offsets.containsKey(refused), refused + " was refused, yet it was read");
            }
            ClusterChecks.report("ReaderFailoverIT: leader %d killed, then %d drained; the reader on broker %d read "
                    + "%d records in order, %d of them acknowledged", first.leader(), drained, reading, end,
                    producer.acked().size());
        } finally {
            producer.close();
        }
    }

    private static void awaitAcksSince(ChaosProducer producer, long sinceNanos) {
        await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedSince(0, sinceNanos));
    }
}
