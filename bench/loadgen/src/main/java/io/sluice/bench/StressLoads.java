package io.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The hostile loads of a stress run, each started, held for a while and ended, returning what it
 * got back as one line for the report. Requests are built by hand where the point is what a
 * well-behaved client library would never send.
 */
final class StressLoads {

    private static final int CONNECTS_PER_SECOND = 1000;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration LARGE_TIMEOUT = Duration.ofSeconds(120);

    private final URI base;
    private final InetSocketAddress address;
    private final String hostHeader;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    StressLoads(URI base) {
        this.base = base;
        this.address = new InetSocketAddress(base.getHost(), base.getPort());
        this.hostHeader = base.getHost() + ":" + base.getPort();
    }

    /** Connections that send nothing, and as many that send one request and then keep the connection idle. */
    String idle(int count, long holdMillis) throws Exception {
        Horde bare = new Horde("idle", address, count / 2, new byte[0], new byte[0], 0, false, 0, CONNECTS_PER_SECOND);
        Horde keptAlive = new Horde("idle-keepalive", address, count - count / 2,
                ascii("GET /q/health/live HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n"), new byte[0], 0, false, 0,
                CONNECTS_PER_SECOND);
        bare.start();
        keptAlive.start();
        TimeUnit.MILLISECONDS.sleep(holdMillis);
        return "silent: " + bare.stop() + ". After one request: " + keptAlive.stop();
    }

    /** A produce request, headers and body, one byte every {@code dripMillis} on each connection. */
    String slow(int count, long dripMillis, long holdMillis, String topic) throws Exception {
        String body = "{\"records\":[{\"value\":\"slow\"}]}";
        byte[] request = ascii("POST /topics/" + topic + "/records?acks=1 HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        Horde slow = new Horde("slow", address, count, new byte[0], request, dripMillis, false, 0, CONNECTS_PER_SECOND);
        slow.start();
        TimeUnit.MILLISECONDS.sleep(holdMillis);
        return slow.stop();
    }

    /**
     * WebSocket readers of {@code topic} from offset 0 with a large credit that read the upgrade
     * reply and then never read again, on a small receive buffer: the broker is left with
     * everything it wants to send them.
     */
    String wsNeverRead(int count, long holdMillis, String topic) throws Exception {
        byte[] upgrade = ascii("GET /ws/consume?topic=" + topic + "&partition=0&offset=0&credits=1000000 HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Horde readers = new Horde("ws-never-read", address, count, upgrade, new byte[0], 0, true, 4096, 250);
        readers.start();
        TimeUnit.MILLISECONDS.sleep(holdMillis);
        return readers.stop();
    }

    /**
     * {@code concurrency} clients each posting bodies of {@code bodyBytes} (JSON records of 1,000
     * characters each), until {@code rounds} each or {@code maxMillis} have passed.
     */
    String largeBodies(int concurrency, int bodyBytes, int rounds, long maxMillis, String topic) throws Exception {
        byte[] body = largeBody(bodyBytes);
        Outcomes outcomes = new Outcomes();
        List<Double> seconds = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int r = 0; r < rounds && System.nanoTime() < deadline; r++) {
                        long start = System.nanoTime();
                        String outcome;
                        try {
                            outcome = Integer.toString(http.send(HttpRequest.newBuilder(base.resolve("/topics/" + topic
                                    + "/records?acks=1&format=string")).timeout(LARGE_TIMEOUT)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode());
                        } catch (IOException e) {
                            outcome = Outcomes.label(e);
                        }
                        outcomes.add(outcome);
                        synchronized (seconds) {
                            seconds.add((System.nanoTime() - start) / 1e9);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return String.format(Locale.ROOT, "%s; replies after %.1f s (median), %.1f s (max)", outcomes,
                PhaseStats.percentile(seconds, 50), PhaseStats.percentile(seconds, 100));
    }

    /** Produce requests that declare {@code declaredBytes}, send the headers and 1 KiB of body, and stall. */
    String lyingBodies(int count, int declaredBytes, long holdMillis, String topic) throws Exception {
        StringBuilder start = new StringBuilder("{\"records\":[{\"value\":\"");
        while (start.length() < 1024) {
            start.append('y');
        }
        byte[] request = ascii("POST /topics/" + topic + "/records?acks=1&format=string HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nContent-Type: application/json\r\nContent-Length: " + declaredBytes + "\r\n\r\n" + start);
        Horde liars = new Horde("lying", address, count, request, new byte[0], 0, false, 0, CONNECTS_PER_SECOND);
        liars.start();
        TimeUnit.MILLISECONDS.sleep(holdMillis);
        return liars.stop();
    }

    /** Creates a topic of {@code wide} partitions, and one of {@code growFrom} that then grows to {@code growTo}. */
    String wideTopics(int wide, int growFrom, int growTo) throws Exception {
        List<String> steps = new ArrayList<>();
        steps.add(timed("create " + String.format(Locale.ROOT, "%,d", wide), () -> admin("POST", "/topics",
                topicJson("stress-wide", wide))));
        steps.add(timed("create " + String.format(Locale.ROOT, "%,d", growFrom), () -> admin("POST", "/topics",
                topicJson("stress-grown", growFrom))));
        steps.add(timed("grow to " + String.format(Locale.ROOT, "%,d", growTo), () -> admin("POST",
                "/topics/stress-grown/partitions", "{\"count\":" + growTo + "}")));
        String list;
        try {
            HttpResponse<String> topics = adminReply("GET", "/topics", null);
            list = topics.statusCode() + ", "
                    + (topics.body().contains("\"stress-wide\"") ? "lists" : "does not list") + " stress-wide, "
                    + (topics.body().contains("\"stress-grown\"") ? "lists" : "does not list") + " stress-grown";
        } catch (IOException e) {
            list = Outcomes.label(e);
        }
        steps.add("GET /topics " + list);
        steps.add("partitions: stress-wide " + partitions("stress-wide") + ", stress-grown " + partitions("stress-grown"));
        return String.join("; ", steps);
    }

    private String partitions(String topic) {
        try {
            HttpResponse<String> reply = adminReply("GET", "/topics/" + topic, null);
            if (reply.statusCode() != 200) {
                return Integer.toString(reply.statusCode());
            }
            return String.format(Locale.ROOT, "%,d", new io.vertx.core.json.JsonObject(reply.body())
                    .getJsonArray("partitionStates").size());
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private interface Call {
        String call() throws Exception;
    }

    private static String timed(String what, Call call) {
        long start = System.nanoTime();
        String outcome;
        try {
            outcome = call.call();
        } catch (IOException e) {
            outcome = Outcomes.label(e);
        } catch (Exception e) {
            outcome = e.getClass().getSimpleName();
        }
        return String.format(Locale.ROOT, "%s: %s in %.1f s", what, outcome, (System.nanoTime() - start) / 1e9);
    }

    private String admin(String method, String path, String json) throws Exception {
        HttpResponse<String> reply = adminReply(method, path, json);
        if (reply.statusCode() >= 300) {
            String code = new io.vertx.core.json.JsonObject(reply.body().isEmpty() ? "{}" : reply.body())
                    .getString("code", "");
            return reply.statusCode() + (code.isEmpty() ? "" : " " + code);
        }
        return Integer.toString(reply.statusCode());
    }

    private HttpResponse<String> adminReply(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(ADMIN_TIMEOUT);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String topicJson(String name, int partitions) {
        return "{\"name\":\"" + name + "\",\"partitions\":" + partitions + ",\"replicationFactor\":1}";
    }

    /** A produce body of records of 1,000 characters each, as close to {@code bytes} as they fit. */
    static byte[] largeBody(int bytes) {
        String record = "{\"value\":\"" + "x".repeat(1000) + "\"}";
        String open = "{\"records\":[";
        String close = "]}";
        int n = (bytes - open.length() - close.length() + 1) / (record.length() + 1);
        StringBuilder body = new StringBuilder(bytes).append(open);
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append(record);
        }
        return body.append(close).toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
