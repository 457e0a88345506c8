package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataSnapshotTest {
    @TempDir
    Path dir;

    private Map<MetadataSection, Map<String, String>> sample() {
        Map<MetadataSection, Map<String, String>> s = MetadataSnapshot.emptySections();
        s.get(MetadataSection.TOPICS).put("orders", MetadataCodec.encode(
                new ClusterTopic("orders", "id-1", 3, 3, Map.of("retention.ms", "5"), 7L)));
        s.get(MetadataSection.PARTITIONS).put("orders/0", MetadataCodec.encode(
                PartitionState.initial("orders", "id-1", 0, List.of(1, 2, 3))));
        s.get(MetadataSection.BROKERS).put("1", MetadataCodec.encode(
                new BrokerInfo(1, "h", 8080, "h", 9093, null)));
        return s;
    }

    @Test
    void roundTripsAndReplacesWhole() throws Exception {
        MetadataSnapshot snapshot = new MetadataSnapshot(dir);
        assertEquals(MetadataSnapshot.emptySections(), snapshot.read(), "no file: nothing");
        snapshot.write(sample());
        assertEquals(sample(), snapshot.read());
        snapshot.write(MetadataSnapshot.emptySections());
        assertEquals(MetadataSnapshot.emptySections(), snapshot.read());
        assertFalse(Files.exists(dir.resolve("cluster").resolve(MetadataSnapshot.FILE_NAME + ".tmp")));
    }

    @Test
    void everyTornLengthIsSetAsideNotRead() throws Exception {
        MetadataSnapshot snapshot = new MetadataSnapshot(dir);
        snapshot.write(sample());
        byte[] whole = Files.readAllBytes(snapshot.file());
        for (int length = 0; length < whole.length; length += 7) {
            Files.write(snapshot.file(), java.util.Arrays.copyOf(whole, length));
            assertEquals(MetadataSnapshot.emptySections(), snapshot.read(), "torn at " + length);
            assertFalse(Files.exists(snapshot.file()), "set aside at " + length);
        }
        try (var listing = Files.list(dir.resolve("cluster"))) {
            assertTrue(listing.anyMatch(p -> p.getFileName().toString().contains(".damaged-")));
        }
    }

    @Test
    void drainMarksRoundTripAndAVersionOneFileWithoutThemIsReadAsItIs() throws Exception {
        MetadataSnapshot snapshot = new MetadataSnapshot(dir);
        Map<MetadataSection, Map<String, String>> withDrain = sample();
        withDrain.get(MetadataSection.DRAINING).put("1", MetadataCodec.encode(new MetadataCodec.Drain(1, 42L)));
        snapshot.write(withDrain);
        assertEquals(withDrain, snapshot.read());

        // A file an older broker wrote: version 1, no drain marks (the CRC is recomputed for the new header).
        snapshot.write(sample());
        byte[] bytes = Files.readAllBytes(snapshot.file());
        ByteBuffer.wrap(bytes).putInt(MetadataSnapshot.VERSION_OFFSET, MetadataSnapshot.VERSION_TOPICS);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - MetadataSnapshot.CRC_LENGTH);
        ByteBuffer.wrap(bytes).putInt(bytes.length - MetadataSnapshot.CRC_LENGTH, (int) crc.getValue());
        Files.write(snapshot.file(), bytes);
        assertEquals(sample(), snapshot.read());
        assertEquals(new MetadataCodec.Drain(3, 7L),
                MetadataCodec.decodeDrain(MetadataCodec.encode(new MetadataCodec.Drain(3, 7L))));
    }

    @Test
    void anUnknownVersionIsRefused() throws Exception {
        MetadataSnapshot snapshot = new MetadataSnapshot(dir);
        snapshot.write(sample());
        byte[] bytes = Files.readAllBytes(snapshot.file());
        ByteBuffer.wrap(bytes).putInt(MetadataSnapshot.VERSION_OFFSET, MetadataSnapshot.VERSION + 1);
        // a valid checksum over the newer version: refused for the version, not the checksum
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - MetadataSnapshot.CRC_LENGTH);
        ByteBuffer.wrap(bytes).putInt(bytes.length - MetadataSnapshot.CRC_LENGTH, (int) crc.getValue());
        Files.write(snapshot.file(), bytes);
        assertEquals(MetadataSnapshot.emptySections(), snapshot.read());
    }
}
