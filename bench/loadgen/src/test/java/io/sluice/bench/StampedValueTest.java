package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StampedValueTest {

    @Test
    void stampPatchedIntoBase64JsonReadsBackThroughTheConsumeParser() throws Exception {
        long seed = 42;
        Random random = new Random(seed);
        byte[] recordJson = ProduceBody.recordJson(StampedValue.template(1024), "binary");
        for (int i = 0; i < 1_000; i++) {
            long stamp = random.nextLong();
            StampedValue.stampBase64(recordJson, ProduceBody.VALUE_OFFSET, stamp);
            String value = new String(recordJson, StandardCharsets.US_ASCII).replace("{\"value\":", "{\"offset\":7,\"value\":");
            byte[] message = ("{\"type\":\"records\",\"records\":[" + value + "]}").getBytes(StandardCharsets.US_ASCII);
            long[] read = new long[1];

            ConsumeMessage.Parsed parsed = ConsumeMessage.parse(message, message.length, s -> read[0] = s);

            assertEquals(stamp, read[0], "seed " + seed + " round " + i);
            assertEquals(1, parsed.records());
            assertEquals(7, parsed.lastOffset());
        }
    }

    @Test
    void rawStampRoundTrips() {
        byte[] value = StampedValue.template(64);
        StampedValue.stamp(value, 123_456_789_012L);
        assertEquals(123_456_789_012L, StampedValue.read(value));
    }
}
