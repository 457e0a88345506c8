package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link PacketFilter} against a real broker on 127.0.0.12 and clients bound to 127.0.0.11 and
 * 127.0.0.13: a cut stops exactly the traffic between the two addresses it names, in both
 * directions, for new and for open connections, and a heal restores both. Skipped where iptables
 * cannot be used (not root), failed instead where {@code SLUICE_REQUIRE_PACKET_FILTER=1}.
 */
class PacketFilterIT {
    private static final String CLIENT = "127.0.0.11";
    private static final String OTHER_CLIENT = "127.0.0.13";
    private static final int CUT_TIMEOUT_MS = 1500;
    /** After a heal, TCP's retransmission backoff (doubling from 200 ms) resends within a few seconds. */
    private static final int HEALED_TIMEOUT_MS = 20_000;

    @RegisterExtension
    static final PacketFilter filter = new PacketFilter();

    private static BrokerProcess broker;

    @BeforeAll
    static void startBroker() {
        PacketFilter.assumeAvailable();
        String address = BrokerProcesses.address(1);
        broker = BrokerProcess.on("PacketFilterIT", address, BrokerProcesses.freePort(address),
                BrokerProcess.freshDataDir("PacketFilterIT"), Map.of(), Map.of());
        broker.launch();
        broker.awaitReady();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aCutStopsNewConnectionsBetweenItsTwoAddressesOnlyAndAHealRestoresThem() throws Exception {
        assertEquals(200, newConnectionStatus(CLIENT, CUT_TIMEOUT_MS));

        filter.cut(CLIENT, broker.host());
        assertEquals(2, PacketFilter.installedRules().size(), () -> "one DROP each way: " + PacketFilter.installedRules());
        assertThrows(SocketTimeoutException.class, () -> newConnectionStatus(CLIENT, CUT_TIMEOUT_MS),
                "the SYN from " + CLIENT + " is dropped");
        assertEquals(200, newConnectionStatus(OTHER_CLIENT, CUT_TIMEOUT_MS), "other addresses are not cut");

        filter.heal();
        assertEquals(List.of(), PacketFilter.installedRules());
        assertEquals(200, newConnectionStatus(CLIENT, HEALED_TIMEOUT_MS));
    }

    @Test
    void anOpenConnectionStallsWhileCutAndCarriesOnAfterTheHeal() throws Exception {
        try (Socket socket = connect(CLIENT, CUT_TIMEOUT_MS)) {
            socket.setSoTimeout(CUT_TIMEOUT_MS);
            assertEquals(200, exchange(socket));

            filter.cut(CLIENT, broker.host());
            // The request leaves; neither it nor any answer crosses the cut.
            assertThrows(SocketTimeoutException.class, () -> exchange(socket));

            filter.heal();
            socket.setSoTimeout(HEALED_TIMEOUT_MS);
            // The request was sent once; TCP retransmits it, and its answer arrives on the same connection.
            assertEquals(200, readStatus(socket.getInputStream()));
        }
    }

    @Test
    void rulesThatADeadTestJvmLeftBehindAreRemovedByTheNextFilter() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        List<String> leftover = List.of("iptables", "-w", "10", "-I", "INPUT", "-s", "127.0.0.98", "-d", "127.0.0.99",
                "-m", "comment", "--comment", "sluice-it-" + gone.pid(), "-j", "DROP");
        assertEquals(0, new ProcessBuilder(leftover).inheritIO().start().waitFor());
        try (PacketFilter another = new PacketFilter()) {
            another.cut("127.0.0.97", "127.0.0.96");
            String all = new String(new ProcessBuilder("iptables", "-w", "10", "-S", "INPUT").start().getInputStream()
                    .readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(!all.contains("sluice-it-" + gone.pid()), () -> "the dead JVM's rule is gone:\n" + all);
        }
        assertEquals(List.of(), PacketFilter.installedRules());
    }

    private static int newConnectionStatus(String from, int timeoutMs) throws IOException {
        try (Socket socket = connect(from, timeoutMs)) {
            socket.setSoTimeout(timeoutMs);
            return exchange(socket);
        }
    }

    private static Socket connect(String from, int timeoutMs) throws IOException {
        // The JDK's HttpClient cannot choose its source address (before Java 19): a plain socket can.
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(broker.host(), broker.port()), timeoutMs);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One keep-alive {@code GET /q/health/live} on an open connection; returns the status. */
    private static int exchange(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /q/health/live HTTP/1.1\r\nHost: " + broker.host() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readStatus(socket.getInputStream());
    }

    /** Reads one response (status line, headers, a Content-Length body) and returns its status. */
    private static int readStatus(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int contentLength = 0;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                contentLength = Integer.parseInt(lower.substring("content-length:".length()).strip());
            }
        }
        in.readNBytes(contentLength);
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-response: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
