package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code stress}: hostile loads one phase after another against one broker (idle connections,
 * slow connections, WebSocket readers that never read, large bodies, bodies that lie about their
 * length, wide topics), each held for a while and followed by a cool-down, while {@link Monitor}
 * samples the broker and {@link ProbeProducer} produces with acks=all beside them. At the end every
 * acknowledged record is read back; the table of the phases goes to {@code --report} and the
 * acknowledged records to {@code --acked}, for {@code stress-verify} after a restart.
 */
final class Stress implements Command {

    static final String PROBE_TOPIC = "stress-probe";
    static final String DATA_TOPIC = "stress-data";
    static final String LARGE_TOPIC = "stress-large";
    static final int PROBE_PARTITIONS = 3;
    /** How long a phase waits for the broker to be ready again after the last one; then it and the rest are skipped. */
    private static final long RECOVERY_SECONDS = 180;
    private static final java.time.format.DateTimeFormatter CLOCK = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override
    public Result run(Args args) throws Exception {
        URI base = URI.create(args.required("url"));
        long pid = args.longValue("pid", -1);
        URI health = URI.create(args.string("health-url", base.resolve("/q/health/ready").toString()));
        URI metrics = URI.create(args.string("metrics-url", base.resolve("/q/metrics").toString()));
        Path brokerLog = Path.of(args.required("broker-log"));
        Path report = Path.of(args.required("report"));
        Path ackedFile = Path.of(args.required("acked"));
        long holdMillis = TimeUnit.SECONDS.toMillis(args.longValue("seconds", 45));
        long coolMillis = TimeUnit.SECONDS.toMillis(args.longValue("cool-seconds", 10));
        int idle = args.integer("idle", 5000);
        int slow = args.integer("slow", 2000);
        long dripMillis = args.longValue("drip-ms", 3000);
        int wsReaders = args.integer("ws-readers", 1000);
        int dataRecords = args.integer("data-records", 20_000);
        int largeBodies = args.integer("large-bodies", 16);
        int largeMib = args.integer("large-mib", 60);
        int largeRounds = args.integer("large-rounds", 2);
        int lying = args.integer("lying", 64);
        int wide = args.integer("wide", 10_000);
        int growFrom = args.integer("grow-from", 5000);
        int growTo = args.integer("grow-to", 8000);
        List<String> phases = List.of(args.string("phases", "baseline,idle,slow,ws,large,lying,wide").split(","));
        args.requireAllRead();
        if (pid <= 0) {
            throw new IllegalArgumentException("--pid of the broker is required");
        }

        setUp(base, dataRecords);
        StressLoads loads = new StressLoads(base);
        List<PhaseStats> done = new ArrayList<>();
        try (Monitor monitor = new Monitor(health, metrics, pid)) {
            ProbeProducer producer = new ProbeProducer(base, PROBE_TOPIC);
            PhaseStats first = null;
            PhaseStats previous = null;
            boolean wedged = false;
            for (String phase : phases) {
                PhaseStats stats = switch (phase) {
                    case "baseline" -> new PhaseStats("baseline", "none");
                    case "idle" -> new PhaseStats("idle", String.format("%,d idle connections, %d s", idle,
                            holdMillis / 1000));
                    case "slow" -> new PhaseStats("slow", String.format("%,d connections sending a produce request "
                            + "one byte every %.0f s, %d s", slow, dripMillis / 1000.0, holdMillis / 1000));
                    case "ws" -> new PhaseStats("ws-never-read", String.format("%,d /ws/consume readers of %,d "
                            + "records of 1 KiB that never read, %d s", wsReaders, dataRecords, holdMillis / 1000));
                    case "large" -> new PhaseStats("large", String.format("%d concurrent produce bodies of %d MiB, "
                            + "%d rounds", largeBodies, largeMib, largeRounds));
                    case "lying" -> new PhaseStats("lying", String.format("%,d produce requests declaring %d MiB, "
                            + "sending 1 KiB, then stalling, %d s", lying, largeMib, holdMillis / 1000));
                    case "wide" -> new PhaseStats("wide", String.format("create a topic of %,d partitions; create "
                            + "one of %,d and grow it to %,d", wide, growFrom, growTo));
                    default -> throw new IllegalArgumentException("unknown phase " + phase);
                };
                if (previous != null) {
                    // samples still go to the previous phase: what it left behind is its own
                    long waited = awaitReady(monitor, wedged ? 0 : RECOVERY_SECONDS);
                    if (waited >= 2 && !wedged) {
                        previous.loadOutcome += (previous.loadOutcome.isEmpty() ? "" : "; ") + "ready again "
                                + waited + " s after the cool-down";
                    }
                    if (!monitor.brokerAlive() || monitor.secondsSinceReady() > 1) {
                        // what the broker does under this load could not be told from what the last one left
                        wedged = true;
                        stats.loadOutcome = monitor.brokerAlive()
                                ? "skipped: the broker had not been ready for " + monitor.secondsSinceReady() + " s"
                                : "skipped: the broker is gone";
                        stats.brokerGone = !monitor.brokerAlive();
                        done.add(stats);
                        log("phase " + stats.name + " " + stats.loadOutcome);
                        continue;
                    }
                }
                previous = stats;
                monitor.into(stats);
                if (first == null) {
                    first = stats;
                    monitor.start();
                    producer.start(stats);
                } else {
                    producer.into(stats);
                }
                long oomBefore = count(brokerLog, "OutOfMemoryError");
                log("phase " + stats.name + ": " + stats.load);
                try {
                    stats.loadOutcome = switch (phase) {
                        case "baseline" -> "";
                        case "idle" -> loads.idle(idle, holdMillis);
                        case "slow" -> loads.slow(slow, dripMillis, holdMillis, LARGE_TOPIC);
                        case "ws" -> loads.wsNeverRead(wsReaders, holdMillis, DATA_TOPIC);
                        case "large" -> loads.largeBodies(largeBodies, largeMib << 20, largeRounds, holdMillis * 2,
                                LARGE_TOPIC);
                        case "lying" -> loads.lyingBodies(lying, largeMib << 20, holdMillis, LARGE_TOPIC);
                        default -> loads.wideTopics(wide, growFrom, growTo);
                    };
                } catch (Exception e) {
                    stats.loadOutcome = "the load failed: " + e;
                }
                if (!stats.loadOutcome.isEmpty()) {
                    log("  " + stats.loadOutcome);
                }
                // the cool-down belongs to the phase: what the load leaves behind shows here
                TimeUnit.MILLISECONDS.sleep(coolMillis);
                stats.outOfMemoryErrors = count(brokerLog, "OutOfMemoryError") - oomBefore;
                stats.brokerGone |= !monitor.brokerAlive();
                done.add(stats);
                log("  " + stats.row());
            }
            producer.close();
            List<ProbeProducer.Acked> acked = producer.acked();
            ProbeProducer.write(acked, ackedFile);
            Map<String, Long> lost = new LinkedHashMap<>();
            String verifyError = "";
            try {
                lost = ProbeProducer.lostByPhase(base, PROBE_TOPIC, acked);
            } catch (Exception e) {
                verifyError = e.toString();
            }
            for (PhaseStats stats : done) {
                stats.lost = verifyError.isEmpty() ? lost.getOrDefault(stats.name, 0L) : -1;
            }
            String table = PhaseStats.header() + "\n" + String.join("\n", done.stream().map(PhaseStats::row).toList())
                    + "\n";
            Files.writeString(report, table + (verifyError.isEmpty() ? "" : "\nReading back failed: " + verifyError + "\n"));
            System.out.print(table);
            long totalLost = lost.values().stream().mapToLong(Long::longValue).sum();
            double healthMax = done.stream().mapToDouble(s -> s.healthPercentile(100)).max().orElse(-1);
            return new Result().put("phases", done.size()).put("acked", acked.size())
                    .put("lost", verifyError.isEmpty() ? totalLost : -1)
                    .put("health_max_ms", healthMax)
                    .put("heap_max_mib", done.stream().mapToLong(s -> s.heapBytes.get()).max().orElse(-1) >> 20)
                    .put("rss_max_mib", done.stream().mapToLong(s -> s.rssBytes.get()).max().orElse(-1) >> 20)
                    .put("oom", done.stream().mapToLong(s -> s.outOfMemoryErrors).sum())
                    .put("broker_alive", monitor.brokerAlive());
        }
    }

    /**
     * Waits, at most {@code seconds}, until a readiness probe started after this call gets 200;
     * returns the seconds waited.
     */
    private static long awaitReady(Monitor monitor, long seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        while (monitor.brokerAlive() && !monitor.readySince(start) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    }

    /** The topics of the run; the data topic filled so that readers have something to be sent. */
    private static void setUp(URI base, int dataRecords) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String topic : List.of(PROBE_TOPIC, DATA_TOPIC, LARGE_TOPIC)) {
            int partitions = topic.equals(PROBE_TOPIC) ? PROBE_PARTITIONS : 1;
            int status = http.send(HttpRequest.newBuilder(base.resolve("/topics")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(StressLoads.topicJson(topic, partitions))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 201 && status != 409) {
                throw new IllegalStateException("creating " + topic + ": HTTP " + status);
            }
        }
        String record = "{\"value\":\"" + "d".repeat(1024) + "\"}";
        for (int sent = 0; sent < dataRecords; sent += 1000) {
            int n = Math.min(1000, dataRecords - sent);
            String body = "{\"records\":[" + String.join(",", java.util.Collections.nCopies(n, record)) + "]}";
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/topics/" + DATA_TOPIC
                    + "/records?acks=1&format=string")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> reply = http.send(request, HttpResponse.BodyHandlers.ofString());
            // a broker that sheds load says so (429, 503): the fill waits as it asks, a bounded number of times
            for (int retry = 0; retry < 30 && (reply.statusCode() == 429 || reply.statusCode() == 503); retry++) {
                TimeUnit.SECONDS.sleep(Math.max(1, Math.min(5, reply.headers().firstValueAsLong("Retry-After").orElse(1))));
                reply = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (reply.statusCode() != 200) {
                throw new IllegalStateException("filling " + DATA_TOPIC + ": HTTP " + reply.statusCode() + " "
                        + reply.body());
            }
        }
    }

    private static long count(Path file, String needle) {
        try (var lines = Files.lines(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(needle)).count();
        } catch (Exception e) {
            return 0;
        }
    }

    static void log(String line) {
        System.err.println("[stress " + java.time.LocalTime.now().format(CLOCK) + "] " + line);
    }
}
