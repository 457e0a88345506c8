package io.sluice.testing;

import io.sluice.cluster.ClusterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ports for brokers started inside a test JVM. A port probed free inside the kernel's ephemeral range can be
 * taken by any outgoing connection (a starting cluster's own included) before the broker binds it, so ports
 * are handed out below or above that range, read from the kernel, and never handed out twice by this JVM.
 */
public final class FreePorts {
    private static final int[] RANGE = usableRange();
    private static int next = RANGE[0] + (int) (ProcessHandle.current().pid() * 211 % ((RANGE[1] - RANGE[0]) / 2)) / 2 * 2;

    private FreePorts() {
    }

    /** A free port on 127.0.0.1 whose failure-detection companion (port + the FD_SOCK2 offset) is free too. */
    public static int pair() {
        return on(InetAddress.getLoopbackAddress());
    }

    /** As {@link #pair()}, on {@code address} (brokers started as processes bind 127.0.0.x). */
    public static int on(String address) {
        try {
            return on(InetAddress.getByName(address));
        } catch (IOException e) {
            throw new UncheckedIOException("finding a free port on " + address, e);
        }
    }

    private static synchronized int on(InetAddress lo) {
        int span = RANGE[1] - RANGE[0];
        for (int attempt = 0; attempt < span / 2; attempt++) {
            int port = next;
            next += 2;
            if (next + ClusterConfig.FAILURE_DETECTION_PORT_OFFSET >= RANGE[1]) {
                next = RANGE[0];
            }
            try (ServerSocket s = new ServerSocket(port, 1, lo);
                    ServerSocket fd = new ServerSocket(port + ClusterConfig.FAILURE_DETECTION_PORT_OFFSET, 1, lo)) {
                return port;
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new UncheckedIOException(new IOException("no free port pair on " + lo.getHostAddress() + " in " + RANGE[0]
                + "-" + RANGE[1]));
    }

    /** A free port on 127.0.0.1, outside the ephemeral range. */
    public static int single() {
        return pair();
    }

    /** The larger of the spans below and above the kernel's ephemeral range, within [10000, 65000). */
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
            return new int[] {10_000, 65_000}; // the range covers almost everything: nothing is safe, take all
        }
        return below >= above ? new int[] {10_000, low} : new int[] {high + 1, 65_000};
    }
}
