package io.sluice.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 client on a bare socket, for what a well-behaved client cannot send: a
 * Content-Length that lies, a body that stalls half way, a chunked body of any length.
 */
final class RawHttpRequest implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** A reply: status, headers (lower-cased names, as one text) and body. */
    record Reply(int status, String headers, String body) {
        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    RawHttpRequest(URI base) {
        try {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the request line and headers of a POST; the body follows with {@link #write}. */
    void startPost(String path, String contentType, String extraHeaders) {
        write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType + "\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One chunk of a chunked body; an empty one ends the body. */
    void chunk(byte[] bytes) {
        write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        write(bytes);
        write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads one reply with a Content-Length body. */
    Reply read() {
        try {
            String head = readHead();
            int status = Integer.parseInt(head.substring(9, 12));
            Reply headersOnly = new Reply(status, head.toLowerCase(Locale.ROOT), "");
            String length = headersOnly.header("content-length");
            byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            return new Reply(status, head, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the reply's head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
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
