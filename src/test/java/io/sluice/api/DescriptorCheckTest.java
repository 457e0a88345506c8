package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The start-up warning about the descriptor limit, and the formula docs/operations.md gives. */
class DescriptorCheckTest {

    @Test
    void theNeedIsConnectionsPlusOneFilePerPartitionPlusOpenSegmentFilesPlusAReserve() {
        assertEquals(4096 + 10_000 + 1024 + 1024, DescriptorCheck.needed(4096, 10_000, 1024));
    }

    @Test
    void warnsBelowTheNeedOnly() {
        assertTrue(DescriptorCheck.warning(1024, 4096, 0, 1024).orElseThrow().contains("ulimit -n"));
        assertTrue(DescriptorCheck.warning(65_536, 4096, 10_000, 1024).isEmpty());
        assertTrue(DescriptorCheck.warning(16_143, 4096, 10_000, 1024).isPresent());
    }
}
