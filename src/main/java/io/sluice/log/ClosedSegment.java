package io.sluice.log;

import java.nio.file.Path;

/**
 * A rolled segment, immutable from now on: its offsets {@code [baseOffset, nextOffset)}, newest
 * timestamp, size and files. What the tier uploads.
 */
public record ClosedSegment(String partitionName, long baseOffset, long nextOffset, long maxTimestamp, long sizeBytes,
        Path logFile, Path offsetIndexFile, Path timeIndexFile) {
}
