package io.sluice.group;

import static io.sluice.group.GroupCoordinatorTest.codeOf;
import static io.sluice.group.GroupCoordinatorTest.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a partition of {@code __consumer_offsets}: what it skips, what stops it, what it forgets. */
class TakeoverTest {
    private static final String G = "loader";

    @TempDir
    Path dir;
    private GroupHarness h;
    private int partition;

    @BeforeEach
    void setUp() {
        h = new GroupHarness(dir);
        h.catalog.topic("t", 2);
        partition = GroupCoordinator.partitionFor(G);
        h.coordinate(G);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void commit(long offset) {
        SimMember m = new SimMember(G, "t", null, null);
        settle(h.coordinator, m);
        h.coordinator.commit(m.commit(new TopicPartition("t", 0), offset)).join();
        m.leave(h.coordinator);
    }

    @Test
    void aTakeoverWhoseCacheRefusesFailsInsteadOfStayingLoadingForever() throws Exception {
        commit(5);
        h.coordinator.giveUp(partition);
        h.cache.unreachable = true;
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> h.coordinator.takeOver(partition).get(10, TimeUnit.SECONDS));
        assertEquals(IllegalStateException.class, failed.getCause().getClass());
        assertFalse(h.coordinator.coordinates(G), "a failed takeover leaves the partition to be taken again");
        h.cache.unreachable = false;
        h.coordinator.takeOver(partition).get(10, TimeUnit.SECONDS);
        assertEquals(5, h.cache.get(G).get(new TopicPartition("t", 0)).offset());
    }

    @Test
    void recordsOfAnotherKeyVersionAreSkipped() {
        commit(5);
        byte[] otherType = ByteBuffer.allocate(8).putShort((short) 2).putShort((short) 2).put((byte) 'g')
                .put((byte) 'x').array();
        h.topic.append(partition, List.of(new OffsetsTopic.Entry(otherType, new byte[] {1, 2, 3}))).join();
        h.restart(G);
        assertEquals(5, h.cache.get(G).get(new TopicPartition("t", 0)).offset());
    }

    @Test
    void aRecordThatDoesNotDecodeStopsTheLoadAndTheGroupsAreNotServedHere() {
        commit(5);
        byte[] lying = GroupRecords.encodeKey(G, new TopicPartition("t", 0));
        ByteBuffer.wrap(lying).putShort(GroupRecords.VERSION_LENGTH, (short) 500);
        h.topic.append(partition, List.of(new OffsetsTopic.Entry(lying, new byte[] {0}))).join();
        h.coordinator.close();
        h.topic.reopen();
        h.coordinator = h.newCoordinator();
        assertEquals(ErrorCode.CORRUPT_RECORD, codeOf(() -> h.coordinator.takeOver(partition)));
        assertFalse(h.coordinator.coordinates(G));
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> h.coordinator.describe(G)));
    }

    @Test
    void offsetsOfAGroupThatHashesElsewhereAreSkipped() {
        String other = "other-group";
        int otherPartition = GroupCoordinator.partitionFor(other);
        assertFalse(otherPartition == partition);
        h.topic.append(partition, List.of(GroupRecords.commit(other, new TopicPartition("t", 0),
                new CommittedOffset(9, "", 1)))).join();
        h.restart(G);
        assertEquals(Map.of(), h.cache.get(other));
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> h.coordinator.describe(other)));
    }

    @Test
    void theCacheLosesOffsetsTheLogNoLongerHas() {
        commit(5);
        h.cache.put(G, Map.of(new TopicPartition("t", 1), new CommittedOffset(3, "", 1))); // a stale write
        h.coordinator.giveUp(partition);
        h.coordinator.takeOver(partition).join();
        assertEquals(Map.of(new TopicPartition("t", 0), 5L), Map.of(new TopicPartition("t", 0),
                h.cache.get(G).get(new TopicPartition("t", 0)).offset()));
        assertEquals(1, h.cache.get(G).size());
    }

    @Test
    void membersAreForgottenOnGiveUpAndMustJoinAgain() {
        SimMember m = new SimMember(G, "t", null, null);
        settle(h.coordinator, m);
        h.coordinator.giveUp(partition);
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> m.beat(h.coordinator)));
        h.coordinator.takeOver(partition).join();
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, codeOf(() -> m.beat(h.coordinator)));
        m.reset();
        settle(h.coordinator, m);
        assertEquals(2, m.owned.size());
    }

    @Test
    void joinsAreValidated() {
        SimMember noTopics = new SimMember(G, List.of(), null, null, 10_000);
        assertEquals(ErrorCode.INVALID_REQUEST, codeOf(() -> noTopics.beat(h.coordinator)));
        SimMember tooShort = new SimMember(G, List.of("t"), null, null, 10);
        assertEquals(ErrorCode.INVALID_REQUEST, codeOf(() -> tooShort.beat(h.coordinator)));
        SimMember tooLong = new SimMember(G, List.of("t"), null, null, 100_000_000);
        assertEquals(ErrorCode.INVALID_REQUEST, codeOf(() -> tooLong.beat(h.coordinator)));
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(G)), "no group was left behind");
    }
}
