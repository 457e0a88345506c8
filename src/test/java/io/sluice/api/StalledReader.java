package io.sluice.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A hostile WebSocket reader on a plain socket: it completes the upgrade, then never reads another
 * byte, with a small receive buffer so that the server's socket fills fast. Closing it drops the
 * connection.
 */
final class StalledReader implements AutoCloseable {
    private static final int RECEIVE_BUFFER_BYTES = 4096;

    private final Socket socket;
    private final int status;

    private StalledReader(Socket socket, int status) {
        this.socket = socket;
        this.status = status;
    }

    /** Opens {@code path} (with its query) on the server of {@code base} and reads only the upgrade reply's head. */
    static StalledReader open(URI base, String pathAndQuery) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String statusLine = head.toString(StandardCharsets.US_ASCII).split("\r\n", 2)[0];
            return new StalledReader(socket, Integer.parseInt(statusLine.split(" ")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a short text frame (under 126 bytes), masked as a client must. False once the server
     * has dropped the connection.
     */
    boolean sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only: " + payload.length + " bytes");
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[2 + mask.length + payload.length];
        frame[0] = (byte) 0x81; // FIN, text
        frame[1] = (byte) (0x80 | payload.length); // masked, length
        System.arraycopy(mask, 0, frame, 2, mask.length);
        for (int i = 0; i < payload.length; i++) {
            frame[2 + mask.length + i] = (byte) (payload[i] ^ mask[i % mask.length]);
        }
        try {
            socket.getOutputStream().write(frame);
            return true;
        } catch (IOException dropped) {
            return false;
        }
    }

    /** The HTTP status of the upgrade reply: 101 when the server took the WebSocket. */
    int status() {
        return status;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
