package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupFrameTest {

    @Test
    void recordsGiveEachPartitionAndOffsetAndOtherMessagesTheirJson() throws Exception {
        List<String> seen = new ArrayList<>();
        GroupFrame.Parsed records = GroupFrame.parse(bytes("{\"type\":\"records\",\"records\":["
                + "{\"topic\":\"t\",\"partition\":3,\"offset\":7,\"timestamp\":1,\"key\":null,\"value\":\"QUJD\",\"headers\":{}},"
                + "{\"topic\":\"t\",\"partition\":1,\"offset\":9,\"value\":{\"nested\":[1,2]}}]}"),
                (p, o) -> seen.add(p + "@" + o));
        assertEquals(2, records.records());
        assertNull(records.other());
        assertEquals(List.of("3@7", "1@9"), seen);

        GroupFrame.Parsed assigned = GroupFrame.parse(bytes("{\"type\":\"assigned\",\"partitions\":["
                + "{\"topic\":\"t\",\"partition\":2,\"offset\":5}]}"), (p, o) -> seen.add("unexpected"));
        assertEquals("assigned", assigned.type());
        assertEquals(5, assigned.other().getJsonArray("partitions").getJsonObject(0).getLong("offset"));
        assertEquals(2, seen.size());
    }

    @Test
    void theLongestGapCountsTheWindowEdges() {
        List<RebalanceMember.Event> events = List.of(
                new RebalanceMember.Event(110, RebalanceMember.Kind.RECORD, 0),
                new RebalanceMember.Event(150, RebalanceMember.Kind.REVOKED, 0),
                new RebalanceMember.Event(190, RebalanceMember.Kind.RECORD, 1),
                new RebalanceMember.Event(195, RebalanceMember.Kind.RECORD, 1));
        assertEquals(80, GroupRebalance.maxGap(events, 100, 200));
        assertEquals(100, GroupRebalance.maxGap(List.of(), 100, 200));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
