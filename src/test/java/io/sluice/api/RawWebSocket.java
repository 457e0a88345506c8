package io.sluice.api;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client on a bare socket (RFC 6455), for frames a library will not send: one text
 * frame of any size (libraries fragment large messages), or text that is not valid UTF-8.
 */
final class RawWebSocket implements AutoCloseable {
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    private static final int FIN = 0x80;
    private static final int MASKED = 0x80;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Random random = new Random(7);

    /** A frame from the server: its opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or 1005 when it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    RawWebSocket(URI base, String pathAndQuery) {
        try {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("no upgrade: " + head);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void sendText(String text) {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One unfragmented, masked frame. */
    void sendFrame(int opcode, byte[] payload) {
        sendFrame(opcode, payload.length, payload);
    }

    /**
     * A frame whose header declares {@code declaredLength} bytes, followed by {@code payload} (all
     * of it, or only its start, for a frame the server should refuse from its header).
     */
    void sendFrame(int opcode, long declaredLength, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(FIN | opcode);
        if (declaredLength < 126) {
            frame.write(MASKED | (int) declaredLength);
        } else if (declaredLength < 65_536) {
            frame.write(MASKED | 126);
            frame.write((int) (declaredLength >>> 8));
            frame.write((int) declaredLength);
        } else {
            frame.write(MASKED | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (declaredLength >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        frame.writeBytes(masked);
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame from the server; a close frame when the connection ended without one (1006). */
    Frame read() {
        try {
            int first = in.read();
            if (first < 0) {
                return new Frame(CLOSE, new byte[] {(byte) (1006 >>> 8), (byte) 1006});
            }
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0F, payload);
        } catch (IOException e) {
            return new Frame(CLOSE, new byte[] {(byte) (1006 >>> 8), (byte) 1006});
        }
    }

    /** Reads frames until a close frame (or the end of the stream), returning its code. */
    int awaitClose() {
        while (true) {
            Frame f = read();
            if (f.opcode() == CLOSE) {
                return f.closeCode();
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }
}
