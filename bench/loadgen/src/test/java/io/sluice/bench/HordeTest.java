package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stress run's raw connections against a local socket server that it can watch. */
class HordeTest {

    @Test
    void slowConnectionsDripTheirBytesAndCountTheServersClose() throws Exception {
        byte[] request = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch allIn = new CountDownLatch(3);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        Socket socket = server.accept();
                        new Thread(() -> {
                            try (socket; InputStream in = socket.getInputStream()) {
                                // read the whole request byte by byte as it drips, then hang up
                                received.add(new String(in.readNBytes(request.length), StandardCharsets.US_ASCII));
                                allIn.countDown();
                            } catch (Exception ignored) {
                                // the test fails on the latch
                            }
                        }).start();
                    }
                } catch (Exception ignored) {
                    // server closed
                }
            });
            acceptor.start();
            Horde horde = new Horde("test", new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                    3, new byte[0], request, 5, false, 0, 1000);
            horde.start();
            assertTrue(allIn.await(20, TimeUnit.SECONDS), "every connection sent its request: " + received);
            assertEquals(List.of("GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\n"), received);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (horde.outcomes().count("closed") < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            String summary = horde.stop();
            assertTrue(summary.startsWith("3 of 3 connected; closed×3; 0 still open; dropped by the server after"), summary);
        }
    }

    @Test
    void readersThatStoppedReadingFindAtTheEndThatTheServerClosed() throws Exception {
        CountDownLatch closed = new CountDownLatch(2);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        try (Socket socket = server.accept()) {
                            // read the request: closing with unread bytes would reset, not close
                            socket.getInputStream().readNBytes("GET / HTTP/1.1\r\n\r\n".length());
                            socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\n\r\n" + "f".repeat(9000))
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                        closed.countDown();
                    }
                } catch (Exception ignored) {
                    // the test fails on the latch
                }
            });
            acceptor.start();
            Horde horde = new Horde("ws", new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                    2, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), new byte[0], 0, true, 4096, 1000);
            horde.start();
            assertTrue(closed.await(20, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (horde.outcomes().count("101") < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals("2 of 2 connected; 101×2, closed-by-the-end×2; 0 still open", horde.stop());
        }
    }

    @Test
    void aPortNobodyListensOnIsRefused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Horde horde = new Horde("refused", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2,
                new byte[0], new byte[0], 0, false, 0, 1000);
        horde.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (horde.outcomes().count("refused") < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals("0 of 2 connected; refused×2; 0 still open", horde.stop());
    }

    @Test
    void aLargeBodyIsOneJsonProduceRequestJustUnderItsSize() {
        byte[] body = StressLoads.largeBody(100_000);
        assertTrue(body.length <= 100_000 && body.length > 100_000 - 1_100, "size " + body.length);
        JsonObject json = new JsonObject(new String(body, StandardCharsets.US_ASCII));
        assertEquals(98, json.getJsonArray("records").size());
        assertEquals(1000, json.getJsonArray("records").getJsonObject(0).getString("value").length());
    }
}
