package io.sluice.replication;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.EncodedFrame.Bytes;
import io.sluice.replication.EncodedFrame.Part;
import io.sluice.replication.EncodedFrame.Region;
import io.sluice.replication.Messages.FileRecords;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetSocket;
import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one connection's frames in order, on its event loop. Bytes go to the socket at once; a
 * file region goes by {@code sendFile}, and nothing after it is written until it is fully sent:
 * Vert.x sends a region of more than 1 MiB in 1 MiB pieces, each after the last, and a write
 * issued in between would land inside the frame. A frame whose file regions are not all on disk
 * when its turn comes is not started at all, so a frame is either whole on the wire or absent.
 */
final class FrameSender {
    private final NetSocket socket;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending current;
    private int nextPart;
    private final List<Future<Void>> currentWrites = new ArrayList<>();
    private boolean waitingForRegion;
    private boolean pumping;
    private boolean failed;

    FrameSender(NetSocket socket) {
        this.socket = socket;
    }

    /** Queues a frame; the future completes once every byte of it is handed to the kernel. */
    Future<Void> send(EncodedFrame frame) {
        Promise<Void> done = Promise.promise();
        if (failed) {
            done.fail(new IllegalStateException("the connection's writes failed; it is closing"));
            return done.future();
        }
        queue.add(new Pending(frame, done));
        pump();
        return done.future();
    }

    /**
     * Completing a frame's promise runs its listeners at once, and they may queue the next frame:
     * a call from inside the loop leaves the work to the loop, so no frame starts inside another.
     */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            writeQueued();
        } finally {
            pumping = false;
        }
    }

    private void writeQueued() {
        while (!waitingForRegion && !failed) {
            if (current == null) {
                current = queue.poll();
                if (current == null) {
                    return;
                }
                nextPart = 0;
                currentWrites.clear();
                SluiceException missing = missingRegion(current.frame);
                if (missing != null) {
                    Promise<Void> refused = current.done;
                    current = null;
                    refused.fail(missing);
                    continue;
                }
            }
            List<Part> parts = current.frame.parts();
            if (nextPart == parts.size()) {
                Promise<Void> done = current.done;
                current = null;
                Future.all(new ArrayList<>(currentWrites)).<Void>mapEmpty().onComplete(done);
                continue;
            }
            Part part = parts.get(nextPart++);
            if (part instanceof Bytes bytes) {
                currentWrites.add(socket.write(bytes.buffer()));
            } else {
                FileRecords region = ((Region) part).records();
                waitingForRegion = true;
                Future<Void> sent;
                try {
                    sent = socket.sendFile(region.file().toAbsolutePath().toString(), region.position(),
                            region.length());
                } catch (RuntimeException e) {
                    sent = Future.failedFuture(e); // a directory, say: the frame is cut short all the same
                }
                currentWrites.add(sent);
                sent.onComplete(result -> {
                    waitingForRegion = false;
                    if (result.failed()) {
                        failAll(result.cause());
                    } else {
                        pump();
                    }
                });
            }
        }
    }

    /**
     * Vert.x silently sends less when a file is shorter than the region asked for, which would
     * break the frame boundaries; so the region is checked just before the frame starts.
     */
    private static SluiceException missingRegion(EncodedFrame frame) {
        for (Part part : frame.parts()) {
            if (part instanceof Region region) {
                FileRecords records = region.records();
                File file = records.file().toFile();
                long size = file.length();
                if (size < records.position() + records.length()) {
                    return new SluiceException(ErrorCode.STORAGE_ERROR, "file " + records.file() + " holds " + size
                            + " bytes, the region needs position=" + records.position() + " length="
                            + records.length());
                }
            }
        }
        return null;
    }

    /** A region that failed halfway leaves the peer inside a frame: the connection cannot go on. */
    private void failAll(Throwable cause) {
        failed = true;
        List<Pending> dropped = new ArrayList<>(queue);
        if (current != null) {
            dropped.add(0, current);
            current = null;
        }
        queue.clear();
        socket.close();
        for (Pending pending : dropped) {
            pending.done.fail(cause);
        }
    }

    private record Pending(EncodedFrame frame, Promise<Void> done) {
    }
}
