package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A group member for the rebalance scenario, over the JDK's {@link WebSocket} because that one
 * can {@link #abort} (drop the connection with no close frame: a member that died). It books, with
 * their arrival times ({@link System#nanoTime()}), every {@code assigned} and {@code revoked}
 * partition and the partitions of every records message, and grants the credit of each records
 * message back at once, so auto-commit commits what arrived.
 */
final class RebalanceMember implements WebSocket.Listener {

    /** Something that happened to a partition of this member, at {@code nanos}. */
    record Event(long nanos, Kind kind, int partition) {
    }

    enum Kind { ASSIGNED, REVOKED, RECORD }

    private final String name;
    private final List<Event> events = new ArrayList<>();
    private final Set<Integer> owned = new HashSet<>();
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile String failure;
    private WebSocket socket;

    private RebalanceMember(String name) {
        this.name = name;
    }

    static RebalanceMember join(HttpClient client, String name, URI base, String query) {
        RebalanceMember member = new RebalanceMember(name);
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws/consume?" + query);
        member.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, member)
                .orTimeout(30, TimeUnit.SECONDS).join();
        return member;
    }

    String name() {
        return name;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            long now = System.nanoTime();
            byte[] json = partial.toString().getBytes(StandardCharsets.UTF_8);
            partial.setLength(0);
            try {
                List<Event> found = new ArrayList<>();
                GroupFrame.Parsed message = GroupFrame.parse(json, (p, o) -> found.add(new Event(now, Kind.RECORD, p)));
                if (message.isRecords()) {
                    book(found, null, null);
                    send("{\"type\":\"credit\",\"records\":" + message.records() + "}");
                } else if ("assigned".equals(message.type()) || "revoked".equals(message.type())) {
                    Kind kind = "assigned".equals(message.type()) ? Kind.ASSIGNED : Kind.REVOKED;
                    var partitions = message.other().getJsonArray("partitions");
                    for (int i = 0; i < partitions.size(); i++) {
                        found.add(new Event(now, kind, partitions.getJsonObject(i).getInteger("partition")));
                    }
                    book(found, kind, found);
                } else if ("error".equals(message.type())) {
                    failure = message.other().encode();
                }
            } catch (Exception e) {
                failure = e.toString();
            }
        }
        webSocket.request(1);
        return null;
    }

    private synchronized void book(List<Event> found, Kind kind, List<Event> changes) {
        events.addAll(found);
        if (kind != null) {
            for (Event e : changes) {
                if (kind == Kind.ASSIGNED) {
                    owned.add(e.partition());
                } else {
                    owned.remove(e.partition());
                }
            }
        }
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        failure = error.toString();
    }

    private synchronized void send(String text) {
        lastSend = lastSend.handle((ok, e) -> null).thenCompose(ignored -> socket.sendText(text, true));
    }

    synchronized Set<Integer> owned() {
        return new HashSet<>(owned);
    }

    synchronized List<Event> events() {
        return new ArrayList<>(events);
    }

    /** The events at or after {@code nanos} (events are booked in arrival order). */
    synchronized List<Event> eventsSince(long nanos) {
        int from = events.size();
        while (from > 0 && events.get(from - 1).nanos() - nanos >= 0) {
            from--;
        }
        return new ArrayList<>(events.subList(from, events.size()));
    }

    String failure() {
        return failure;
    }

    /** A clean leave: the close frame goes out after any credit still being sent. */
    synchronized void leave() {
        lastSend = lastSend.handle((ok, e) -> null)
                .thenCompose(ignored -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "leaving"));
    }

    /** The connection dropped with no close frame. */
    void abort() {
        socket.abort();
    }
}
