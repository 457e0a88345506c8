package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataMirrorTest {
    @TempDir
    Path dir;

    @Test
    void aResyncReportsWhatItAddedReplacedAndRemovedAndNothingElse() {
        try (MetadataMirror mirror = new MetadataMirror(new MetadataSnapshot(dir), "test-snapshot")) {
            mirror.apply(MetadataSection.TOPICS, "kept", "k");
            mirror.apply(MetadataSection.TOPICS, "replaced", "old");
            mirror.apply(MetadataSection.TOPICS, "removed", "r");

            List<MetadataMirror.Change> changes = mirror.resync(MetadataSection.TOPICS,
                    () -> Map.of("kept", "k", "replaced", "new", "added", "a"));

            assertEquals(new HashSet<>(List.of(
                    new MetadataMirror.Change("replaced", "new", "old"),
                    new MetadataMirror.Change("added", "a", null),
                    new MetadataMirror.Change("removed", null, "r"))), new HashSet<>(changes));
            assertEquals(Map.of("kept", "k", "replaced", "new", "added", "a"), mirror.entries(MetadataSection.TOPICS));
            assertEquals(List.of(), mirror.resync(MetadataSection.TOPICS, () -> Map.of("kept", "k", "replaced", "new",
                    "added", "a")), "a second resync of the same content changes nothing");
        }
    }

    @Test
    void aKeyAnEventChangedDuringTheReadKeepsTheEventsValueAndIsNotReportedAgain() {
        try (MetadataMirror mirror = new MetadataMirror(new MetadataSnapshot(dir), "test-snapshot")) {
            mirror.apply(MetadataSection.PARTITIONS, "p", "epoch-1");

            List<MetadataMirror.Change> changes = mirror.resync(MetadataSection.PARTITIONS, () -> {
                // the event comes while the cache is read; the read saw the value before it
                mirror.apply(MetadataSection.PARTITIONS, "p", "epoch-3");
                return Map.of("p", "epoch-2");
            });

            assertEquals(List.of(), changes);
            assertEquals("epoch-3", mirror.get(MetadataSection.PARTITIONS, "p"));
        }
    }
}
