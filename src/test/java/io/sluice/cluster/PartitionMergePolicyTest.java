package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.junit.jupiter.api.Test;

class PartitionMergePolicyTest {
    private static final PartitionState INITIAL = PartitionState.initial("orders", "id-orders", 0, List.of(1, 2, 3));
    private final PartitionMergePolicy policy = new PartitionMergePolicy();

    @Test
    void theHigherLeaderEpochWinsThenTheHigherPartitionEpoch() {
        PartitionState elected = INITIAL.withLeader(2, List.of(2, 3));
        PartitionState shrunk = INITIAL.withIsr(List.of(1));
        assertEquals(elected, merged(entry(shrunk), entry(elected)));
        assertEquals(elected, merged(entry(elected), entry(shrunk)));
        assertEquals(shrunk, merged(entry(INITIAL), entry(shrunk)));
    }

    @Test
    void aStateOfAnotherIncarnationOfTheTopicNeverReplacesThePreferredOne() {
        PartitionState other = PartitionState.initial("orders", "id-orders-2", 0, List.of(1, 2, 3))
                .withLeader(2, List.of(2, 3));
        assertEquals(INITIAL, merged(entry(INITIAL), entry(other)));
    }

    @Test
    void aMergeKeepsTheNewestOtherCopyWhereThePreferredSideHasNone() {
        PartitionState elected = INITIAL.withLeader(2, List.of(2, 3));
        assertEquals(elected, merged(null, entry(INITIAL), null, entry(elected)));
        assertNull(policy.merge(null, List.of()), "nowhere is nothing");
    }

    @SafeVarargs
    private PartitionState merged(CacheEntry<String, String> preferred, CacheEntry<String, String>... others) {
        CacheEntry<String, String> result = policy.merge(preferred, Arrays.asList(others));
        return MetadataCodec.decodePartition(result.getValue());
    }

    private static CacheEntry<String, String> entry(PartitionState state) {
        return new ImmortalCacheEntry(MetadataCodec.key(state.key()), MetadataCodec.encode(state));
    }
}
