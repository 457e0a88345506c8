package io.sluice.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved client beside the hostile load: {@value #RECORDS_PER_REQUEST} records with
 * acks=all every {@value #INTERVAL_MILLIS} ms, one request at a time, into a topic of its own. It
 * keeps every acknowledged record (partition, offset, value, phase), so that the end of the run
 * can check each is readable at its offset; refusals (429, 503...) are counted per phase.
 */
final class ProbeProducer implements AutoCloseable {

    static final int RECORDS_PER_REQUEST = 10;
    static final long INTERVAL_MILLIS = 200;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** One acknowledged record. */
    record Acked(int partition, long offset, String value, String phase) {
        String line() {
            return partition + "\t" + offset + "\t" + value + "\t" + phase;
        }

        static Acked parse(String line) {
            String[] f = line.split("\t");
            return new Acked(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2], f[3]);
        }
    }

    private final URI base;
    private final String topic;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Acked> acked = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile PhaseStats current;
    private volatile boolean closed;
    private long sequence;

    ProbeProducer(URI base, String topic) {
        this.base = base;
        this.topic = topic;
        this.thread = new Thread(this::loop, "probe-producer");
        thread.setDaemon(true);
    }

    void start(PhaseStats first) {
        current = first;
        thread.start();
    }

    void into(PhaseStats stats) {
        current = stats;
    }

    List<Acked> acked() {
        return List.copyOf(acked);
    }

    private void loop() {
        long next = System.nanoTime();
        while (!closed) {
            sendOne(current);
            next += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void sendOne(PhaseStats stats) {
        JsonArray records = new JsonArray();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
            long n = sequence++;
            String value = "probe-" + n + "-" + "p".repeat(100);
            values.add(value);
            records.add(new JsonObject().put("key", "k" + n).put("value", value));
        }
        long start = System.nanoTime();
        String outcome;
        try {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(base.resolve("/topics/" + topic
                    + "/records?acks=all&format=string")).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("records", records).encode()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            outcome = Integer.toString(reply.statusCode());
            if (reply.statusCode() == 200) {
                JsonArray offsets = new JsonObject(reply.body()).getJsonArray("offsets");
                for (int i = 0; i < offsets.size(); i++) {
                    JsonObject o = offsets.getJsonObject(i);
                    acked.add(new Acked(o.getInteger("partition"), o.getLong("offset"), values.get(i), stats.name));
                }
                stats.acked += offsets.size();
            }
        } catch (IOException e) {
            outcome = Outcomes.label(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        stats.recordProduce(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start) / 1000.0, outcome);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(TimeUnit.SECONDS.toMillis(40));
    }

    static void write(List<Acked> acked, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        acked.forEach(a -> lines.add(a.line()));
        Files.write(file, lines);
    }

    static List<Acked> read(Path file) throws IOException {
        List<Acked> acked = new ArrayList<>();
        Files.readAllLines(file).forEach(l -> acked.add(Acked.parse(l)));
        return acked;
    }

    /**
     * Reads every partition the acknowledged records are in, from offset 0 to its high watermark,
     * and returns, per phase, how many acknowledged records are not at their offset with their value.
     */
    static Map<String, Long> lostByPhase(URI base, String topic, List<Acked> acked) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<Integer, Map<Long, String>> stored = new HashMap<>();
        for (Acked a : acked) {
            stored.computeIfAbsent(a.partition(), p -> new HashMap<>());
        }
        for (Map.Entry<Integer, Map<Long, String>> partition : stored.entrySet()) {
            readPartition(http, base, topic, partition.getKey(), partition.getValue());
        }
        Map<String, Long> lost = new HashMap<>();
        for (Acked a : acked) {
            boolean there = a.value().equals(stored.get(a.partition()).get(a.offset()));
            lost.merge(a.phase(), there ? 0L : 1L, Long::sum);
        }
        return lost;
    }

    private static void readPartition(HttpClient http, URI base, String topic, int partition, Map<Long, String> into)
            throws Exception {
        long offset = 0;
        while (true) {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(base.resolve("/topics/" + topic
                    + "/partitions/" + partition + "/records?offset=" + offset
                    + "&maxRecords=10000&maxBytes=8388608&format=string")).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() != 200) {
                throw new IllegalStateException("reading " + topic + "-" + partition + "@" + offset + ": HTTP "
                        + reply.statusCode() + " " + reply.body());
            }
            JsonObject fetch = new JsonObject(reply.body());
            JsonArray records = fetch.getJsonArray("records");
            for (int i = 0; i < records.size(); i++) {
                JsonObject r = records.getJsonObject(i);
                into.put(r.getLong("offset"), r.getString("value"));
            }
            long next = fetch.getLong("nextOffset");
            if (next >= fetch.getLong("highWatermark")) {
                return;
            }
            if (records.isEmpty() && next == offset) {
                throw new IllegalStateException("no progress reading " + topic + "-" + partition + "@" + offset);
            }
            offset = next;
        }
    }
}
