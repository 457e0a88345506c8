package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Our murmur2 partitioning against Kafka's {@code Utils.murmur2}, bit for bit. */
class Murmur2Test {
    private static final long SEED = 42L;

    @Test
    void matchesKafkaFor10000RandomKeys() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[random.nextInt(64)];
            random.nextBytes(key);
            assertEquals(Utils.murmur2(key), Murmur2.hash(key), "key #" + i);
            int partitions = 1 + random.nextInt(100);
            assertEquals(Utils.toPositive(Utils.murmur2(key)) % partitions, Murmur2.partitionFor(key, partitions));
        }
    }
}
