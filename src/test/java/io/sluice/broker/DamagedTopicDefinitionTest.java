package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged topic definition never deletes data (DESIGN invariant 9): each kind of damage found on
 * a real disk is quarantined and reported, the topic's log directories stay untouched, and every
 * other topic is served.
 */
class DamagedTopicDefinitionTest {
    private static final int RECORDS = 300;

    @TempDir
    Path tmp;

    private Path dataDir;
    private Broker broker;
    private byte[] goodDefinition;

    @BeforeEach
    void fill() throws IOException {
        // Relative with "./", as the default data dir is.
        dataDir = Path.of(".").resolve(Path.of("").toAbsolutePath().relativize(tmp)).resolve("data");
        broker = new Broker(BrokerConfig.defaults(dataDir));
        broker.createTopic("victim", 3, 1, Map.of());
        broker.createTopic("bystander", 1, 1, Map.of());
        produce("victim", RECORDS);
        produce("bystander", 10);
        broker.close();
        broker = null;
        goodDefinition = Files.readAllBytes(definition());
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void produce(String topic, int count) {
        List<ProduceRecord> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new ProduceRecord(i % 3 < broker.topic(topic).partitionCount() ? i % 3 : 0, null,
                    ("v" + i).getBytes(StandardCharsets.UTF_8), null, List.of()));
        }
        broker.produce(topic, batch, Acks.ALL, null).join();
    }

    private Path definition() {
        return dataDir.resolve("meta/topics/victim.topic");
    }

    private void rewrite(String field, String value) throws IOException {
        String text = Files.readString(definition()).replaceAll("(?m)^" + field + "=.*$", field + "=" + value);
        Files.writeString(definition(), text);
    }

    /**
     * Starts the broker on the damaged disk and checks what every case must hold: the damaged file
     * is set aside and reported, and the topic is served again from the cluster's copy of its
     * definition, every acknowledged record with it.
     */
    private void startAndCheckNothingLost(String expectedProblem) throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertEquals(10, broker.topic("bystander").log(0).logEndOffset(), "the other topics are served");
        List<DamagedDefinition> damaged = broker.damagedTopicDefinitions();
        assertEquals(1, damaged.size(), damaged.toString());
        assertEquals("victim", damaged.get(0).name());
        assertTrue(damaged.get(0).problem().contains(expectedProblem), damaged.get(0).problem());
        assertTrue(damaged.get(0).problem().contains("victim.topic"), "the message says where");
        assertTrue(Files.exists(dataDir.resolve(damaged.get(0).setAsideAt())), "set aside, not deleted");
        assertTrue(damaged.get(0).restored(), "restored from the cluster's copy");
        assertEquals(3, broker.topic("victim").partitionCount());
        assertEquals(RECORDS, broker.topic("victim").logs().stream().mapToLong(l -> l.logEndOffset()).sum(),
                "every acknowledged record is served");
    }

    @Test
    void withoutTheClustersCopyADamagedTopicIsSetAsideAndNothingIsLost() throws IOException {
        rewrite("partitions", "0");
        PartitionOpener.deleteRecursively(dataDir.resolve("cluster"));
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertEquals(10, broker.topic("bystander").log(0).logEndOffset(), "the other topics are served");
        assertFalse(broker.topics().stream().anyMatch(t -> t.name().equals("victim")), "the damaged topic is not");
        List<DamagedDefinition> damaged = broker.damagedTopicDefinitions();
        assertEquals(1, damaged.size(), damaged.toString());
        assertFalse(damaged.get(0).restored());
        assertFalse(Files.exists(definition()));
        for (int p = 0; p < 3; p++) {
            assertTrue(Files.isDirectory(dataDir.resolve("logs/victim-" + p)), "logs/victim-" + p + " is where it was");
        }

        // The operator repairs the definition and moves it back: every acknowledged record is back.
        broker.close();
        Files.move(dataDir.resolve(damaged.get(0).setAsideAt()), definition());
        Files.write(definition(), goodDefinition);
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertEquals(RECORDS, broker.topic("victim").logs().stream().mapToLong(l -> l.logEndOffset()).sum());
        assertTrue(broker.damagedTopicDefinitions().isEmpty());
    }

    @Test
    void fewerPartitionsThanTheDiskHoldsIsQuarantinedNotTruncated() throws IOException {
        rewrite("partitions", "1");
        startAndCheckNothingLost("partitions=1 but the disk holds logs/victim-2");
    }

    @Test
    void aReplicatedTopicsDefinitionIsNotDamaged() throws IOException {
        // A broker of a cluster writes the topic's replication factor; it must read it back at its next start.
        rewrite("replicationFactor", "3");
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertEquals(List.of(), broker.damagedTopicDefinitions());
        assertTrue(Files.exists(definition()), "not set aside");
        assertEquals(RECORDS, broker.topic("victim").logs().stream().mapToLong(l -> l.logEndOffset()).sum());
    }

    @Test
    void zeroReplicationFactorIsRefused() throws IOException {
        rewrite("replicationFactor", "0");
        startAndCheckNothingLost("replicationFactor=0 is out of range");
    }

    @Test
    void zeroPartitionsIsRefused() throws IOException {
        rewrite("partitions", "0");
        startAndCheckNothingLost("partitions=0 is out of range");
    }

    @Test
    void aHugePartitionCountCreatesNothing() throws IOException {
        rewrite("partitions", "99999999");
        startAndCheckNothingLost("partitions=99999999 is out of range");
        try (Stream<Path> dirs = Files.list(dataDir.resolve("logs"))) {
            assertEquals(4, dirs.count(), "no directory was created for the bogus partitions");
        }
    }

    @Test
    void aNameThatEscapesTheDataDirIsRefused() throws IOException {
        rewrite("name", "../../etc");
        startAndCheckNothingLost("illegal topic name '../../etc'");
        assertFalse(Files.exists(dataDir.resolve("logs/../../etc-0")));
        assertFalse(Files.exists(dataDir.resolve("etc-0")));
    }

    @Test
    void anUnreadableDefinitionNamesTheFileAndWhatIsWrong() throws IOException {
        Files.write(definition(), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        startAndCheckNothingLost("not UTF-8 text");
    }

    @Test
    void aMissingFieldIsNamed() throws IOException {
        Files.writeString(definition(), Files.readString(definition()).replaceAll("(?m)^partitions=.*$", ""));
        startAndCheckNothingLost("field 'partitions' is missing");
    }

    @Test
    void aLogDirectoryNoTopicClaimsIsMovedAsideNotDeleted() throws IOException {
        Path stray = dataDir.resolve("logs/stray-0");
        Files.createDirectories(stray);
        Files.writeString(stray.resolve("00000000000000000000.log"), "acknowledged bytes of someone");
        broker = new Broker(BrokerConfig.defaults(dataDir));
        assertFalse(Files.exists(stray));
        assertEquals("acknowledged bytes of someone",
                Files.readString(dataDir.resolve("lost+found/stray-0/00000000000000000000.log")));
        assertEquals(RECORDS, broker.topic("victim").logs().stream().mapToLong(l -> l.logEndOffset()).sum());
    }
}
