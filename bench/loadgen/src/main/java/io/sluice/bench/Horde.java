package io.sluice.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Thousands of raw TCP connections of one kind on one selector thread: each connects, sends its
 * {@code opening} bytes at once, then {@code drip} one byte every {@code dripMillis} (a slow
 * client), and reads what the server answers, or, with {@code stopReadingAfterHead}, stops reading
 * once the response head has arrived (a WebSocket reader that never reads). The first status line
 * of each connection is counted ({@code 101}, {@code 408}, {@code 503}...), and so is how it ended:
 * {@code refused} or {@code connect-timeout} at connect, {@code closed} or {@code reset} by the
 * server (with how long the server held it), or still open when the load ends.
 *
 * <p>Connections open at a bounded pace so the server's accept queue, not the client, decides what
 * is refused. Everything but {@link #start} and {@link #stop} runs on the horde's own thread.
 */
final class Horde {

    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int HEAD_LIMIT = 4096;
    private static final long TICK_MILLIS = 50;
    private static final int DRAIN_LIMIT = 64 * 1024;

    private final String name;
    private final InetSocketAddress address;
    private final int count;
    private final byte[] opening;
    private final byte[] drip;
    private final long dripNanos;
    private final boolean stopReadingAfterHead;
    private final int receiveBuffer;
    private final int connectsPerSecond;
    private final Outcomes outcomes = new Outcomes();
    private final List<Long> holdMillis = new ArrayList<>();
    private final CompletableFuture<String> summary = new CompletableFuture<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Random random = new Random(20261129L);
    private final List<Conn> conns = new ArrayList<>();
    private volatile boolean stopping;
    private Thread thread;
    private int connected;

    /** One connection's state. */
    private static final class Conn {
        final SocketChannel channel;
        final long startedNanos;
        long connectedNanos;
        long nextDripNanos;
        int dripped;
        final StringBuilder head = new StringBuilder();
        boolean statusSeen;
        boolean done;

        Conn(SocketChannel channel, long startedNanos) {
            this.channel = channel;
            this.startedNanos = startedNanos;
        }
    }

    Horde(String name, InetSocketAddress address, int count, byte[] opening, byte[] drip, long dripMillis,
            boolean stopReadingAfterHead, int receiveBuffer, int connectsPerSecond) {
        this.name = name;
        this.address = address;
        this.count = count;
        this.opening = opening;
        this.drip = drip;
        this.dripNanos = TimeUnit.MILLISECONDS.toNanos(dripMillis);
        this.stopReadingAfterHead = stopReadingAfterHead;
        this.receiveBuffer = receiveBuffer;
        this.connectsPerSecond = connectsPerSecond;
    }

    void start() {
        thread = new Thread(this::loop, "horde-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Ends the load: what happened to every connection, then closes those still open. */
    String stop() throws Exception {
        stopping = true;
        return summary.get(60, TimeUnit.SECONDS);
    }

    private void loop() {
        try (Selector selector = Selector.open()) {
            long begin = System.nanoTime();
            while (!stopping) {
                long now = System.nanoTime();
                long due = Math.min(count, (now - begin) * connectsPerSecond / 1_000_000_000L + 1);
                while (conns.size() < due) {
                    open(selector, now);
                }
                selector.select(TICK_MILLIS);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
                tick(System.nanoTime());
            }
            summary.complete(summarize());
        } catch (Throwable t) {
            summary.completeExceptionally(t);
        } finally {
            for (Conn c : conns) {
                closeQuietly(c);
            }
        }
    }

    private void open(Selector selector, long now) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            // the client's own limits (descriptors): not the server's doing
            Conn failed = new Conn(null, now);
            conns.add(failed);
            finish(failed, "client-error", false);
            return;
        }
        Conn conn = new Conn(channel, now);
        conns.add(conn);
        try {
            channel.configureBlocking(false);
            if (receiveBuffer > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            if (channel.connect(address)) {
                connected(conn, channel.register(selector, 0, conn), now);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, conn);
            }
        } catch (ConnectException e) {
            finish(conn, "refused", false);
        } catch (IOException e) {
            finish(conn, "client-error", false);
        }
    }

    private void handle(SelectionKey key) {
        Conn conn = (Conn) key.attachment();
        if (conn.done || !key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                conn.channel.finishConnect();
                connected(conn, key, System.nanoTime());
            } else if (key.isReadable()) {
                read(conn, key);
            }
        } catch (ConnectException e) {
            finish(conn, "refused", false);
        } catch (IOException e) {
            finish(conn, conn.connectedNanos == 0 ? "connect-error" : ioLabel(e), conn.connectedNanos != 0);
        }
    }

    private void connected(Conn conn, SelectionKey key, long now) throws IOException {
        connected++;
        conn.connectedNanos = now;
        conn.nextDripNanos = now + (dripNanos == 0 ? 0 : (long) (random.nextDouble() * dripNanos));
        if (opening.length > 0) {
            ByteBuffer out = ByteBuffer.wrap(opening);
            conn.channel.write(out);
            if (out.hasRemaining()) {
                // a fresh socket's send buffer holds a few KiB at least; the rest is the "lying" part
                outcomes.add("opening-short");
            }
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Conn conn, SelectionKey key) throws IOException {
        scratch.clear();
        int n = conn.channel.read(scratch);
        if (n < 0) {
            finish(conn, "closed", true);
            return;
        }
        if (conn.head.length() < HEAD_LIMIT) {
            scratch.flip();
            byte[] bytes = new byte[Math.min(scratch.remaining(), HEAD_LIMIT - conn.head.length())];
            scratch.get(bytes);
            conn.head.append(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        if (!conn.statusSeen && conn.head.indexOf("\r\n") > 0) {
            conn.statusSeen = true;
            String[] parts = conn.head.substring(0, conn.head.indexOf("\r\n")).split(" ");
            outcomes.add(parts.length > 1 ? parts[1] : "garbage");
        }
        if (stopReadingAfterHead && conn.head.indexOf("\r\n\r\n") > 0) {
            key.interestOps(0);
        }
    }

    private void tick(long now) {
        for (Conn conn : conns) {
            if (conn.done) {
                continue;
            }
            if (conn.connectedNanos == 0) {
                if (now - conn.startedNanos > CONNECT_TIMEOUT_NANOS) {
                    finish(conn, "connect-timeout", false);
                }
                continue;
            }
            if (conn.dripped < drip.length && now >= conn.nextDripNanos) {
                try {
                    conn.channel.write(ByteBuffer.wrap(drip, conn.dripped, 1));
                    conn.dripped++;
                    conn.nextDripNanos = now + dripNanos;
                } catch (IOException e) {
                    finish(conn, ioLabel(e), true);
                }
            }
        }
    }

    private void finish(Conn conn, String label, boolean byServer) {
        conn.done = true;
        // a connection that got a status is already counted by it; its end is still worth a count
        outcomes.add(byServer ? (conn.statusSeen ? "then-" + label : label) : label);
        if (byServer) {
            holdMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - conn.connectedNanos));
        }
        closeQuietly(conn);
    }

    private static String ioLabel(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("reset") || message.contains("broken pipe") ? "reset" : "closed";
    }

    private static void closeQuietly(Conn conn) {
        if (conn.channel == null) {
            return;
        }
        try {
            conn.channel.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    private String summarize() {
        if (stopReadingAfterHead) {
            lookForEndsUnseen();
        }
        long open = conns.stream().filter(c -> !c.done && c.connectedNanos != 0).count();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d of %,d connected; %s; %,d still open",
                connected, count, outcomes, open));
        if (!holdMillis.isEmpty()) {
            List<Long> sorted = new ArrayList<>(holdMillis);
            Collections.sort(sorted);
            out.append(String.format(Locale.ROOT, "; dropped by the server after %.0f s (median), %.0f s (max)",
                    sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0));
        }
        return out.toString();
    }

    /**
     * A client that stopped reading cannot see the server close: at the end, reading what is
     * waiting on each connection, up to {@value #DRAIN_LIMIT} bytes, finds those the server reset
     * or closed after little more (a refusal after the upgrade, say). One closed behind more
     * unread data than that still counts as open.
     */
    private void lookForEndsUnseen() {
        for (Conn conn : conns) {
            if (conn.done || conn.connectedNanos == 0) {
                continue;
            }
            try {
                int drained = 0;
                int n;
                do {
                    scratch.clear();
                    n = conn.channel.read(scratch);
                    drained += Math.max(n, 0);
                } while (n > 0 && drained < DRAIN_LIMIT);
                if (n < 0) {
                    endedUnseen(conn, "closed");
                }
            } catch (IOException e) {
                endedUnseen(conn, ioLabel(e));
            }
        }
    }

    /** Ended some time before the end of the load; when is not known, so no hold time. */
    private void endedUnseen(Conn conn, String label) {
        conn.done = true;
        outcomes.add(label + "-by-the-end");
        closeQuietly(conn);
    }

    Outcomes outcomes() {
        return outcomes;
    }
}
