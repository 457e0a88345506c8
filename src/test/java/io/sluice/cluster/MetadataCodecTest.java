package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetadataCodecTest {
    private static final long SEED = 0x5eed_c0dec_0001L;

    @Test
    void randomRecordsRoundTripAndEncodeCanonically() {
        System.out.println("MetadataCodecTest seed=" + SEED);
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            BrokerInfo b = new BrokerInfo(random.nextInt(1000), text(random), random.nextInt(65536), text(random),
                    random.nextInt(65536), random.nextBoolean() ? null : text(random));
            assertEquals(b, MetadataCodec.decodeBroker(MetadataCodec.encode(b)));

            Map<String, String> config = new HashMap<>();
            for (int k = random.nextInt(5); k > 0; k--) {
                config.put(text(random), text(random));
            }
            ClusterTopic t = new ClusterTopic(text(random), text(random), 1 + random.nextInt(100),
                    1 + random.nextInt(5), config, random.nextLong());
            assertEquals(t, MetadataCodec.decodeTopic(MetadataCodec.encode(t)));
            // the same topic with its config in another order is the same string: replace() compares strings
            Map<String, String> reordered = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(config.keySet());
            java.util.Collections.reverse(keys);
            keys.forEach(k -> reordered.put(k, config.get(k)));
            assertEquals(MetadataCodec.encode(t), MetadataCodec.encode(new ClusterTopic(t.name(), t.id(),
                    t.partitions(), t.replicationFactor(), reordered, t.createdAtMs())));

            PartitionState p = new PartitionState(text(random), text(random), random.nextInt(50),
                    random.nextInt(5) - 1, random.nextInt(100), random.nextInt(100), ints(random), ints(random),
                    ints(random));
            assertEquals(p, MetadataCodec.decodePartition(MetadataCodec.encode(p)));

            MetadataCodec.Tombstone tomb = new MetadataCodec.Tombstone(text(random), text(random), random.nextLong());
            assertEquals(tomb, MetadataCodec.decodeTombstone(MetadataCodec.encode(tomb)));
        }
    }

    @Test
    void damagedValuesAreRefusedWithWhatIsWrong() {
        String partition = MetadataCodec.encode(PartitionState.initial("t", "id", 0, List.of(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decodeTopic(partition), "wrong kind");
        byte[] bytes = Base64.getDecoder().decode(partition);
        for (int cut = 0; cut < bytes.length; cut++) {
            String truncated = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, cut));
            assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decodePartition(truncated),
                    "cut at " + cut);
        }
        byte[] lying = bytes.clone();
        lying[2] = 0x7f; // the topic name's length claims far more than the value holds
        assertThrows(IllegalArgumentException.class,
                () -> MetadataCodec.decodePartition(Base64.getEncoder().encodeToString(lying)));
        byte[] newer = bytes.clone();
        newer[1] = (byte) (MetadataCodec.VERSION + 1);
        assertThrows(IllegalArgumentException.class,
                () -> MetadataCodec.decodePartition(Base64.getEncoder().encodeToString(newer)));
        assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decodePartition("not base64!"));
    }

    private static String text(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            sb.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0x3b1 + random.nextInt(20)));
        }
        return sb.toString();
    }

    private static List<Integer> ints(Random random) {
        List<Integer> list = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            list.add(random.nextInt(10));
        }
        return list;
    }
}
