package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * What the API says about stored batches agrees with the bytes on disk (read with Kafka's own
 * classes), and an error about a damaged file names the partition and position, not the server's
 * paths.
 */
@QuarkusTest
class StoredBatchesTest extends ApiTest {
    private static final Path DATA_DIR = Path.of("target/test-data");

    private static Path firstSegment(String topic) {
        Path file = DATA_DIR.resolve("logs").resolve(topic + "-0").resolve("00000000000000000000.log");
        assertTrue(Files.exists(file), () -> "no segment file " + file);
        return file;
    }

    @Test
    void describeReportsTheLeaderEpochStampedIntoEveryBatch() throws IOException {
        String topic = created("epoch-" + RUN);
        api.createTopic(topic, 1);
        api.produce(topic, "", "{\"records\":[{\"value\":1},{\"value\":2}]}");
        api.produce(topic, "?acks=1", "{\"records\":[{\"value\":3}]}");
        int described = api.describe(topic).path("partitionStates").get(0).path("leaderEpoch").asInt();
        List<Integer> stamped = new ArrayList<>();
        try (FileRecords records = FileRecords.open(firstSegment(topic).toFile())) {
            for (RecordBatch b : records.batches()) {
                stamped.add(b.partitionLeaderEpoch());
            }
        }
        assertEquals(List.of(described, described), stamped);
        assertEquals(0, described);
    }

    @Test
    void aCorruptBatchIsReportedWithoutServerPaths() throws IOException {
        String topic = created("corrupt-" + RUN);
        api.createTopic(topic, 1);
        api.produce(topic, "", "{\"records\":[{\"value\":\"" + "x".repeat(64) + "\"}]}");
        Path segment = firstSegment(topic);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long last = ch.size() - 8; // inside the value: the CRC no longer matches
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, last);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, last);
        }
        HttpApi.Reply r = api.get("/topics/" + topic + "/partitions/0/records?offset=0");
        assertEquals(500, r.status(), r::body);
        JsonNode p = r.json();
        assertEquals("CORRUPT_RECORD", p.path("code").asText(), r::body);
        String detail = p.path("detail").asText();
        assertFalse(detail.contains(DATA_DIR.toString()) || detail.contains(DATA_DIR.toAbsolutePath().toString())
                || detail.contains("/logs/"), detail);
        assertTrue(detail.contains(topic + "-0/00000000000000000000.log"), detail);
    }
}
