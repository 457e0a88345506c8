package io.sluice.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A member of a consumer group over {@code /ws/consume?group=G&topic=T...} on one broker of a
 * process-level test, as a client application would be: the JDK's {@link WebSocket}, every frame
 * kept as JSON with its arrival time, the partitions it owns followed through {@code assigned} and
 * {@code revoked} frames. By default it grants credit back for every records frame as it arrives
 * (so auto-commit may commit what it received); a test that wants to hold credit turns that off.
 *
 * <p>It leaves cleanly ({@link #leave}: a close frame) or dies ({@link #abort}: the TCP connection
 * dropped with no close frame, as a crashed process or a pulled cable does).
 */
final class GroupMember implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    static final Duration WAIT = Duration.ofSeconds(60);

    /** A frame from the broker and when it arrived ({@link System#nanoTime()}). */
    record Frame(long atNanos, JsonNode json) {
        String type() {
            return json.path("type").asText();
        }
    }

    /** One record as delivered: where it was and what it held. */
    record Delivered(long atNanos, String topic, int partition, long offset, String key, String value) {
    }

    private final String name;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    /** Partitions ("topic-p") owned now, per the frames so far. */
    private final Set<String> owned = new TreeSet<>();
    private volatile boolean autoCredit = true;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    /** Set in {@link #onOpen}, before the first frame: a credit sent from a frame that came first must not be lost. */
    private volatile WebSocket socket;

    private GroupMember(String name) {
        this.name = name;
    }

    /**
     * Joins {@code group} reading {@code topic} through {@code broker}; {@code extraQuery} adds
     * parameters ({@code "sessionTimeoutMs=3000&autoCommitIntervalMs=200"}, may be empty). Reads
     * from the earliest offset where the group has no commit.
     */
    static GroupMember join(String name, BrokerProcess broker, String group, String topic, String extraQuery) {
        String query = "group=" + enc(group) + "&topic=" + enc(topic) + "&from=earliest"
                + (extraQuery.isEmpty() ? "" : "&" + extraQuery);
        return open(name, broker, query);
    }

    /** Opens {@code /ws/consume?query} as it is. */
    static GroupMember open(String name, BrokerProcess broker, String query) {
        GroupMember member = new GroupMember(name);
        URI uri = URI.create("ws://" + broker.host() + ":" + broker.port() + "/ws/consume?" + query);
        CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, member)
                .orTimeout(15, TimeUnit.SECONDS).join();
        return member;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    String name() {
        return name;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonNode json;
            try {
                json = BrokerClient.JSON.readTree(partial.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(name + ": a frame that is not JSON: " + partial, e);
            }
            partial.setLength(0);
            onFrame(new Frame(System.nanoTime(), json));
        }
        webSocket.request(1);
        return null;
    }

    private void onFrame(Frame frame) {
        JsonNode json = frame.json();
        switch (frame.type()) {
            case "assigned" -> {
                synchronized (owned) {
                    json.get("partitions").forEach(p -> owned.add(key(p)));
                }
            }
            case "revoked" -> {
                synchronized (owned) {
                    json.get("partitions").forEach(p -> owned.remove(key(p)));
                }
            }
            case "records" -> {
                for (JsonNode r : json.get("records")) {
                    delivered.add(new Delivered(frame.atNanos(), r.get("topic").asText(), r.get("partition").asInt(),
                            r.get("offset").asLong(), text(r.get("key")), text(r.get("value"))));
                }
            }
            default -> {
            }
        }
        // Booked before the credit goes out, so a test that sees the credit's effect sees the frame.
        frames.add(frame);
        if (frame.type().equals("records") && autoCredit) {
            // Not awaited: this runs on the client's reading thread.
            sendAsync("{\"type\":\"credit\",\"records\":" + json.get("records").size() + "}");
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /** false: credit is granted only by {@link #credit}. */
    GroupMember autoCredit(boolean on) {
        autoCredit = on;
        return this;
    }

    void credit(int records) {
        send("{\"type\":\"credit\",\"records\":" + records + "}");
    }

    /** Sends {@code {"type":"commit"}} for {@code topic}: partition to the next offset to read. */
    void commit(String topic, Map<Integer, Long> offsets) {
        ArrayNode list = BrokerClient.JSON.createArrayNode();
        offsets.forEach((p, o) -> list.addObject().put("topic", topic).put("partition", p).put("offset", o));
        ObjectNode frame = BrokerClient.JSON.createObjectNode().put("type", "commit");
        frame.set("offsets", list);
        send(frame.toString());
    }

    private void send(String text) {
        sendAsync(text).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** The JDK's socket takes one message at a time: each send starts when the one before it ended. */
    private synchronized CompletableFuture<?> sendAsync(String text) {
        CompletableFuture<?> next = lastSend.handle((ok, failure) -> null)
                .thenCompose(ignored -> socket.sendText(text, true));
        lastSend = next;
        return next;
    }

    /** The partitions owned now (as "topic-p"). */
    Set<String> owned() {
        synchronized (owned) {
            return new TreeSet<>(owned);
        }
    }

    /** The partition numbers of {@code topic} owned now. */
    Set<Integer> ownedPartitions(String topic) {
        Set<Integer> out = new TreeSet<>();
        for (String tp : owned()) {
            if (tp.startsWith(topic + "-")) {
                out.add(Integer.parseInt(tp.substring(topic.length() + 1)));
            }
        }
        return out;
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    List<Frame> frames(String type) {
        List<Frame> of = new ArrayList<>();
        for (Frame f : frames) {
            if (type.equals(f.type())) {
                of.add(f);
            }
        }
        return of;
    }

    List<Delivered> delivered() {
        return List.copyOf(delivered);
    }

    /** Per partition of {@code topic}, the highest offset delivered (absent: none). */
    Map<Integer, Long> lastDelivered(String topic) {
        Map<Integer, Long> last = new TreeMap<>();
        for (Delivered d : delivered) {
            if (d.topic().equals(topic)) {
                last.merge(d.partition(), d.offset(), Math::max);
            }
        }
        return last;
    }

    /** Waits until the owned partitions satisfy {@code condition}; fails fast if the socket closes. */
    Set<String> awaitOwned(Predicate<Set<String>> condition, String what) {
        try {
            return await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .failFast(name + " was closed by the broker", closed::isDone)
                    .until(this::owned, condition);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(name + ": " + what + "; owns " + owned() + "; frames " + summary(), e);
        }
    }

    /** Waits for a frame of {@code type} matching {@code condition} that arrived after {@code index} frames. */
    Frame awaitFrame(String type, int index, Predicate<JsonNode> condition) {
        return awaitFrame(index, f -> f.type().equals(type) && condition.test(f.json()), "a '" + type + "' frame");
    }

    /** Waits for a frame matching {@code condition} among those that arrived after {@code index} frames. */
    Frame awaitFrame(int index, Predicate<Frame> condition, String what) {
        try {
            return await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                List<Frame> all = frames();
                for (int i = index; i < all.size(); i++) {
                    if (condition.test(all.get(i))) {
                        return all.get(i);
                    }
                }
                return null;
            }, f -> f != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + ": no " + what + " after frame " + index + "; frames " + summary(), e);
        }
    }

    /** The start offset an {@code assigned} frame after frame {@code index} gave partition {@code p} of {@code topic}, or null. */
    Long assignedOffset(String topic, int p, int index) {
        List<Frame> all = frames();
        for (int i = index; i < all.size(); i++) {
            if (all.get(i).type().equals("assigned")) {
                for (JsonNode tp : all.get(i).json().get("partitions")) {
                    if (tp.get("topic").asText().equals(topic) && tp.get("partition").asInt() == p) {
                        return tp.get("offset").asLong();
                    }
                }
            }
        }
        return null;
    }

    int frameCount() {
        return frames.size();
    }

    /** Error frames so far. */
    List<JsonNode> errors() {
        return frames("error").stream().map(Frame::json).toList();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** The non-record frames, for failure messages (records frames only counted). */
    String summary() {
        StringBuilder out = new StringBuilder("[");
        int records = 0;
        for (Frame f : frames) {
            if (f.type().equals("records")) {
                records += f.json().get("records").size();
            } else {
                out.append(f.json()).append(' ');
            }
        }
        return out.append("] and ").append(records).append(" records").toString();
    }

    /** A clean close: a close frame, then waits (bounded) for the broker's own close frame. */
    void leave() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            CompletableFuture<?> close;
            synchronized (this) {
                close = lastSend.handle((ok, failure) -> null)
                        .thenCompose(ignored -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "leaving"));
                lastSend = close;
            }
            close.orTimeout(5, TimeUnit.SECONDS).join();
        }
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
            throw new AssertionError(name + ": the broker did not answer the close frame", e);
        }
    }

    /** Drops the connection with no close frame: to the broker, a member that died. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        socket.abort();
    }

    private static String key(JsonNode partition) {
        return partition.get("topic").asText() + "-" + partition.get("partition").asInt();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
