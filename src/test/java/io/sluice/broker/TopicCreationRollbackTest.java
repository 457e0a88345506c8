package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a topic or growing it either completes or rolls back: when partition k cannot be
 * opened, what was created is removed and the definition says what is served, then and after a
 * restart.
 */
class TopicCreationRollbackTest {
    @TempDir
    Path dataDir;

    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A plain file where partition {@code p}'s log directory must go. */
    private Path squat(String topic, int p) throws IOException {
        Path file = dataDir.resolve("logs").resolve(topic + "-" + p);
        Files.writeString(file, "not a directory");
        return file;
    }

    private List<String> logDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(dataDir.resolve("logs"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCreateThatFailsAtPartitionKLeavesNothingBehind() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        Path squatter = squat("wide", 3);
        SluiceException e = assertThrows(SluiceException.class, () -> broker.createTopic("wide", 6, 1, Map.of()));
        assertEquals(ErrorCode.STORAGE_ERROR, e.code());
        assertFalse(e.getMessage().contains(dataDir.toString()), "no server path in the reply: " + e.getMessage());
        assertThrows(SluiceException.class, () -> broker.topic("wide"));
        assertFalse(Files.exists(dataDir.resolve("meta/topics/wide.topic")), "no definition the API does not list");
        assertEquals(List.of(), logDirs(), "partitions 0..2 were removed again");
        assertEquals("not a directory", Files.readString(squatter), "what was there is untouched");

        Files.delete(squatter);
        broker.createTopic("wide", 6, 1, Map.of());
        assertEquals(6, broker.topic("wide").partitionCount());
    }

    @Test
    void aGrowthThatFailsKeepsTheOldCountThenAndAfterARestart() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        broker.createTopic("grows", 2, 1, Map.of());
        squat("grows", 4);
        SluiceException e = assertThrows(SluiceException.class, () -> broker.addPartitions("grows", 6));
        assertEquals(ErrorCode.STORAGE_ERROR, e.code());
        assertEquals(2, broker.topic("grows").partitionCount());
        assertEquals(List.of("grows-0", "grows-1"), logDirs());
        broker.close();
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertEquals(2, broker.topic("grows").partitionCount());
        assertTrue(broker.damagedTopicDefinitions().isEmpty());
    }

    @Test
    void runningOutOfDescriptorsIsBrokerBusyNotAStorageError() {
        SluiceException busy = PartitionOpener.failure("opening partition 7 of topic t",
                new java.nio.file.FileSystemException("/data/logs/t-7/00000000000000000000.index: Too many open files"));
        assertEquals(ErrorCode.BROKER_BUSY, busy.code());
        assertFalse(busy.getMessage().contains("/data"), busy.getMessage());
    }
}
