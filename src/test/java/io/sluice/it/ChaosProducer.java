package io.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A producer thread that writes acks=all records, one per partition per request, each with a
 * unique id as its value, through the REST API of one broker of a {@link BrokerProcesses} (the
 * test switches the broker with {@link #target}), and books every record's outcome:
 *
 * <ul>
 *   <li><b>acknowledged</b>: the reply gave the record an offset;
 *   <li><b>refused</b>: a clear refusal before anything was written (the connection was never
 *       made, or {@code NOT_ENOUGH_REPLICAS}): the record must not be in the log;
 *   <li><b>unknown</b>: anything else (a timeout, a connection lost after sending, a 5xx such as
 *       {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} or {@code LEADER_NOT_AVAILABLE}): the record may
 *       or may not be in the log, at most once.
 * </ul>
 *
 * No record is ever sent twice: the next request carries fresh ids, so an id found twice in a log
 * is a duplicate the broker made.
 */
final class ChaosProducer implements AutoCloseable {
    /** Where an acknowledged record was put. */
    record Ack(int partition, long offset) {
    }

    /**
     * A request forwarded to a leader that froze waits for the inter-broker timeout (10 s plus the
     * produce's own wait); the producer gives up sooner, books the records unknown, and goes on.
     */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);
    /** A pause after a refusal or an unknown outcome, so a producer facing a dead broker does not spin. */
    private static final Duration BACKOFF = Duration.ofMillis(100);

    private final BrokerProcesses brokers;
    private final String topic;
    private final int partitions;
    private final String idPrefix;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** How many records got each kind of reply that was not an offset, for the report. */
    private final Map<String, Integer> reasons = new ConcurrentHashMap<>();
    /** Per partition: System.nanoTime() of the latest acknowledgement. */
    private final AtomicLongArray lastAckNanos;
    private final AtomicLong sequence = new AtomicLong();
    private final Thread thread;
    private volatile int target;
    private volatile boolean running = true;
    /** Opened by {@link #close}, so a back-off ends at once when the test is done. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Throwable failure;

    ChaosProducer(BrokerProcesses brokers, String topic, int partitions, int firstTarget) {
        this(brokers, topic, partitions, firstTarget, topic);
    }

    /** A producer whose ids start with {@code name}: producers of one topic need different names. */
    ChaosProducer(BrokerProcesses brokers, String topic, int partitions, int firstTarget, String name) {
        this.brokers = brokers;
        this.topic = topic;
        this.partitions = partitions;
        this.idPrefix = name + "-";
        this.lastAckNanos = new AtomicLongArray(partitions);
        this.target = firstTarget;
        this.thread = new Thread(this::run, "chaos-producer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** From the next request on, write through broker {@code id}. */
    void target(int id) {
        target = id;
    }

    int target() {
        return target;
    }

    Map<String, Ack> acked() {
        return Map.copyOf(acked);
    }

    Set<String> unknown() {
        return Set.copyOf(unknown);
    }

    Set<String> refused() {
        return Set.copyOf(refused);
    }

    /** True once partition {@code p} has had an acknowledgement after {@code sinceNanos} (System.nanoTime). */
    boolean ackedSince(int p, long sinceNanos) {
        return lastAckNanos.get(p) - sinceNanos > 0;
    }

    boolean ackedEverywhereSince(long sinceNanos) {
        for (int p = 0; p < partitions; p++) {
            if (!ackedSince(p, sinceNanos)) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        try {
            while (running) {
                sendOne();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void sendOne() throws InterruptedException {
        String[] ids = new String[partitions];
        ArrayNode records = BrokerClient.JSON.createArrayNode();
        for (int p = 0; p < partitions; p++) {
            ids[p] = idPrefix + sequence.getAndIncrement();
            records.addObject().put("partition", p).put("value", ids[p]);
        }
        ObjectNode body = BrokerClient.JSON.createObjectNode().set("records", records);
        BrokerProcess broker = brokers.broker(target);
        HttpRequest request = HttpRequest.newBuilder(broker.uri("/topics/" + topic + "/records?acks=all"))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            // Never connected: nothing was sent.
            book(ids, refused, "connection refused");
            backOff();
            return;
        } catch (IOException e) {
            book(ids, unknown, e.getClass().getSimpleName());
            backOff();
            return;
        }
        JsonNode json;
        try {
            json = BrokerClient.JSON.readTree(response.body());
        } catch (IOException e) {
            book(ids, unknown, "status " + response.statusCode() + " without JSON");
            return;
        }
        boolean settled = true;
        if (response.statusCode() == 200 || response.statusCode() == 207) {
            JsonNode offsets = json.get("offsets");
            for (int i = 0; i < ids.length; i++) {
                JsonNode result = offsets.get(i);
                if (result.has("offset")) {
                    acked.put(ids[i], new Ack(result.get("partition").asInt(), result.get("offset").asLong()));
                    lastAckNanos.set(result.get("partition").asInt(), System.nanoTime());
                } else {
                    settled = false;
                    String code = result.path("error").path("code").asText();
                    book(new String[] {ids[i]}, code.equals("NOT_ENOUGH_REPLICAS") ? refused : unknown, code);
                }
            }
        } else {
            settled = false;
            String code = json.path("code").asText("status " + response.statusCode());
            book(ids, code.equals("NOT_ENOUGH_REPLICAS") ? refused : unknown, code);
        }
        if (!settled) {
            backOff();
        }
    }

    /** Paces the next request after a failure; returns early when the producer is closed. */
    private void backOff() throws InterruptedException {
        stopping.await(BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void book(String[] ids, Set<String> outcome, String reason) {
        outcome.addAll(List.of(ids));
        reasons.merge(reason, ids.length, Integer::sum);
    }

    /** Records per reply that was not an offset (an error code, an exception), for the report. */
    Map<String, Integer> reasons() {
        return new TreeMap<>(reasons);
    }

    /** Stops the thread after its request in flight; fails if the thread failed. */
    @Override
    public void close() {
        running = false;
        stopping.countDown();
        try {
            thread.join(REQUEST_TIMEOUT.plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("the producer of " + topic + " failed", failure);
        }
    }
}
