package io.sluice.api;

import java.util.ArrayDeque;

/**
 * Which records frames a reader's client has acknowledged, in the sense of API.md: a frame is
 * acknowledged once the credit granted after the initial credit covers every record sent up to
 * and including it (a client grants credit for what it has processed). One entry per frame sent
 * and not yet acknowledged; since nothing is sent past the credit, the records unacknowledged are
 * at most the initial credit, and so are the entries. Touched only on the session's executor.
 */
final class Acknowledgements {
    private record Sent(ReadPosition position, long recordsThrough, long nextOffset) {
    }

    private final ArrayDeque<Sent> unacknowledged = new ArrayDeque<>();
    private long sentRecords;
    private long grantedRecords;

    /** A frame of {@code records} from {@code position}, ending before {@code nextOffset}, went out. */
    void sent(ReadPosition position, int records, long nextOffset) {
        sentRecords += records;
        if (unacknowledged.isEmpty() && sentRecords <= grantedRecords) {
            position.acknowledged = nextOffset; // credit granted ahead already covers it
        } else {
            unacknowledged.add(new Sent(position, sentRecords, nextOffset));
        }
    }

    /**
     * The client granted {@code records} more: every frame now covered is acknowledged, and its
     * partition's acknowledged position moves to the frame's end (a seek may move it back: it
     * follows what the client was sent, not the largest offset).
     */
    void granted(long records) {
        grantedRecords = Math.min(Long.MAX_VALUE / 2, grantedRecords + records);
        while (!unacknowledged.isEmpty() && unacknowledged.peek().recordsThrough() <= grantedRecords) {
            Sent s = unacknowledged.poll();
            if (!s.position().removed) {
                s.position().acknowledged = s.nextOffset();
            }
        }
    }

    int pendingFrames() {
        return unacknowledged.size();
    }
}
