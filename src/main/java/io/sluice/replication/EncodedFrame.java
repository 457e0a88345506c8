package io.sluice.replication;

import io.sluice.replication.Messages.FileRecords;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * A frame ready for the wire: bytes in hand and, for replies that carry segment data, file regions
 * to be sent from the page cache without passing through the heap. The length prefix in the first
 * part already counts every part, file regions included.
 *
 * @param length the whole frame's size in bytes, its length prefix included
 */
public record EncodedFrame(FrameType type, int correlationId, List<Part> parts, long length) {
    public EncodedFrame {
        parts = List.copyOf(parts);
    }

    /** A piece of a frame: bytes, or a region of a file. */
    public sealed interface Part permits Bytes, Region {
    }

    public record Bytes(Buffer buffer) implements Part {
    }

    public record Region(FileRecords records) implements Part {
    }

    public boolean hasRegions() {
        return parts.stream().anyMatch(part -> part instanceof Region);
    }
}
