package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.broker.Broker;
import io.sluice.broker.GroupCoordinators;
import io.sluice.group.GroupCoordinator;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member whose coordinator goes away keeps reading what it owns; when a coordinator takes the
 * group over again (rebuilt from {@code __consumer_offsets}, without its members) the member is
 * unknown there: it gives up everything in a {@code revoked} frame, joins again and resumes from
 * the committed offsets.
 */
@QuarkusTest
class GroupFencingTest extends GroupTestSupport {
    @Inject
    Broker broker;

    @Test
    void aMemberKeepsReadingWhileItsCoordinatorIsAwayAndRejoinsWhenItIsUnknown() throws Exception {
        String t = topic("fence", 2);
        String g = group("fence");
        fill(t, 2, "a", 20);
        try (GroupClient m = join("m", g, t, "from=earliest&autoCommitIntervalMs=100")) {
            Wait.upTo(15).until(() -> m.owned().size() == 2 && m.records().size() == 40);
            awaitCommitted(g, c -> c.equals(Map.of(t + "-0", 20L, t + "-1", 20L)));
            GroupCoordinator coordinator = GroupCoordinators.of(broker);
            int offsetsPartition = GroupCoordinator.partitionFor(g);
            int framesBefore = m.frames().size();
            coordinator.giveUp(offsetsPartition);
            try {
                // No coordinator: heartbeats fail, the member keeps its partitions and goes on reading.
                fill(t, 2, "b", 10);
                Wait.upTo(10).until(() -> m.records().size() == 60);
                Wait.upTo(3).during(Duration.ofMillis(1500)).until(() -> m.frames("revoked").isEmpty());
            } finally {
                coordinator.takeOver(offsetsPartition).get(30, TimeUnit.SECONDS);
            }
            // The new coordinator does not know the member: all revoked, then assigned again from the commits.
            Wait.upTo(30).until(() -> !m.frames("revoked").isEmpty() && m.owned().size() == 2);
            JsonNode revoked = m.frames("revoked").get(0).json();
            Set<String> given = new TreeSet<>();
            revoked.get("partitions").forEach(p -> given.add(GroupClient.key(p)));
            assertEquals(Set.of(t + "-0", t + "-1"), given, revoked::toString);
            long revokedAt = m.frames("revoked").get(0).atNanos();
            for (String p : List.of(t + "-0", t + "-1")) {
                Long start = m.assignedOffset(p, framesBefore);
                assertTrue(start != null && start >= 20 && start <= 30, p + " resumed at " + start);
            }
            assertTrue(m.frames("assigned").get(m.frames("assigned").size() - 1).atNanos() > revokedAt);
            fill(t, 2, "c", 10);
            Wait.upTo(15).until(() -> deliveries(List.of(m)).keySet().containsAll(values("c", 2, 10)));
            assertTrue(deliveries(List.of(m)).keySet().containsAll(values("b", 2, 10)), "nothing skipped");
        }
    }
}
