package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Groups read one topic independently: a group whose member never grants credit holds back
 * neither the producer nor another group reading the same partitions.
 */
@QuarkusTest
class GroupIndependenceTest extends GroupTestSupport {
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 2_000;

    @Test
    void aGroupThatNeverGrantsCreditSlowsNoOtherGroupNorTheProducer() {
        String t = topic("indep", PARTITIONS);
        try (GroupClient stuck = GroupClient.open("stuck", api.ws("/ws/consume?group=" + group("stuck") + "&topic=" + t
                + "&from=earliest&credits=10"), false);
                GroupClient fast = join("fast", group("fast"), t, "from=earliest&credits=1000")) {
            Wait.upTo(15).until(() -> stuck.owned().size() == PARTITIONS && fast.owned().size() == PARTITIONS);
            long start = System.nanoTime();
            for (int batch = 0; batch < 10; batch++) {
                fill(t, PARTITIONS, "v" + batch, PER_PARTITION / 10);
            }
            long produceMs = (System.nanoTime() - start) / 1_000_000;
            Wait.upTo(30).until(() -> fast.records().size() == PARTITIONS * PER_PARTITION);
            Wait.upTo(2).during(Duration.ofMillis(300)).until(() -> stuck.records().size() == 10);
            assertEquals(10, stuck.records().size(), "the stuck group got no more than its credit");
            assertTrue(produceMs < 20_000, "producing took " + produceMs + " ms");
            for (int batch = 0; batch < 10; batch++) {
                assertEachOnce(deliveries(List.of(fast)), values("v" + batch, PARTITIONS, PER_PARTITION / 10));
            }
        }
    }
}
