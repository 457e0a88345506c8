package io.sluice.replication;

import static org.awaitility.Awaitility.await;

import io.sluice.replication.EncodedFrame.Bytes;
import io.sluice.replication.EncodedFrame.Part;
import io.sluice.replication.EncodedFrame.Region;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.Records;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.awaitility.core.ConditionFactory;

/** Test helpers for frames as bytes: an encoded frame laid flat, records as bytes, raw sockets. */
final class Frames {
    private Frames() {
    }

    static ConditionFactory upTo(int seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** The frame's bytes as they would go on the wire, file regions read from their files. */
    static byte[] flatten(EncodedFrame frame) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part part : frame.parts()) {
            if (part instanceof Bytes bytes) {
                out.write(bytes.buffer().getBytes());
            } else {
                out.write(bytesOf(((Region) part).records()));
            }
        }
        if (out.size() != frame.length()) {
            throw new AssertionError("parts hold " + out.size() + " bytes, the frame says " + frame.length());
        }
        return out.toByteArray();
    }

    /** The body the receiver would hand to decode: everything after the length prefix. */
    static ByteBuffer body(byte[] wire) {
        return ByteBuffer.wrap(wire, FrameDescriptor.LENGTH_LENGTH, wire.length - FrameDescriptor.LENGTH_LENGTH).slice();
    }

    static byte[] bytesOf(Records records) throws IOException {
        if (records instanceof HeapRecords heap) {
            byte[] copy = new byte[heap.bytes().remaining()];
            heap.bytes().duplicate().get(copy);
            return copy;
        }
        FileRecords file = (FileRecords) records;
        byte[] copy = new byte[file.length()];
        try (RandomAccessFile raf = new RandomAccessFile(file.file().toFile(), "r")) {
            raf.seek(file.position());
            raf.readFully(copy);
        }
        return copy;
    }

    /**
     * Reads from a raw socket until the server closes it; fails when it stays open past the bound.
     *
     * @return what the server sent before closing
     */
    static byte[] readUntilClosed(Socket socket, Duration bound) throws IOException {
        socket.setSoTimeout((int) bound.toMillis());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                got.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + bound, e);
        } catch (SocketException reset) {
            // a reset is a close too
        }
        return got.toByteArray();
    }
}
