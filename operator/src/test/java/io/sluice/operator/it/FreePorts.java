package io.sluice.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ports for brokers started by a test, as the broker build's own {@code FreePorts} hands them out:
 * outside the kernel's ephemeral range (an outgoing connection may take a port probed free inside it
 * before the broker binds it), never twice in this JVM, and with the JGroups failure-detection
 * companion port (port + 100) free as well.
 */
final class FreePorts {
    /** FD_SOCK2 listens this far above the JGroups port. */
    private static final int FAILURE_DETECTION_OFFSET = 100;
    private static final int[] RANGE = usableRange();
    private static int next = RANGE[0] + (int) (ProcessHandle.current().pid() * 211 % ((RANGE[1] - RANGE[0]) / 2)) / 2 * 2;

    private FreePorts() {
    }

    /** A free port on {@code address} whose companion is free too. */
    static synchronized int on(String address) {
        InetAddress host;
        try {
            host = InetAddress.getByName(address);
        } catch (IOException e) {
            throw new UncheckedIOException("resolving " + address, e);
        }
        for (int attempt = 0; attempt < (RANGE[1] - RANGE[0]) / 2; attempt++) {
            int port = next;
            next += 2;
            if (next + FAILURE_DETECTION_OFFSET >= RANGE[1]) {
                next = RANGE[0];
            }
            try (ServerSocket s = new ServerSocket(port, 1, host);
                    ServerSocket fd = new ServerSocket(port + FAILURE_DETECTION_OFFSET, 1, host)) {
                return port;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new UncheckedIOException(new IOException("no free port pair on " + address + " in " + RANGE[0] + "-"
                + RANGE[1]));
    }

    /** The larger of the spans below and above the ephemeral range, within [10000, 65000). */
    private static int[] usableRange() {
        int low = 32_768;
        int high = 60_999;
        try {
            String[] bounds = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            low = Integer.parseInt(bounds[0]);
            high = Integer.parseInt(bounds[1]);
        } catch (IOException | RuntimeException unreadable) {
            // not Linux: assume the usual range
        }
        int below = Math.max(0, low - 10_000);
        int above = Math.max(0, 65_000 - (high + 1));
        if (below < 2_000 && above < 2_000) {
            return new int[] {10_000, 65_000};
        }
        return below >= above ? new int[] {10_000, low} : new int[] {high + 1, 65_000};
    }
}
