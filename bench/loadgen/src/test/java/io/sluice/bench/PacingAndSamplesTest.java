package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PacingAndSamplesTest {

    @Test
    void pacerOwesLateTicksTheirRecords() {
        Pacer pacer = new Pacer(5_000, 0);
        assertEquals(5, pacer.due(1_000_000));
        assertEquals(0, pacer.due(1_000_000));
        assertEquals(50, pacer.due(11_000_000));
        assertEquals(5_000 - 55, pacer.due(1_000_000_000));
    }

    @Test
    void percentilesAreNearestRank() {
        LatencySamples samples = new LatencySamples(4);
        for (int micros = 1_000; micros >= 1; micros--) {
            samples.add(micros * 1_000L);
        }
        assertEquals(500.0, samples.percentileMillis(50));
        assertEquals(990.0, samples.percentileMillis(99));
        assertEquals(999.0, samples.percentileMillis(99.9));
        assertEquals(1_000.0, samples.percentileMillis(100));
    }
}
