package io.sluice.log;

import java.nio.file.Path;

/**
 * A region of a segment file holding whole batches, for a follower's fetch: the network layer sends
 * it with {@code sendFile} (zero-copy). {@code length} is 0 at the log end. The file may be deleted
 * (retention, truncation) before it is sent; the sender then fails the fetch and the follower asks again.
 */
public record LogSlice(Path file, long position, int length) {
}
