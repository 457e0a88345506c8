package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Consume throughput over a backlog on a cluster: a group of {@code members} members against
 * {@code members} plain readers splitting the same partitions ({@code --mode group|plain}).
 * Fills the topic first when it holds fewer than {@code fill-records} records (round-robin,
 * acks=1, batches of 1000), so the two modes read the same backlog. Reader i connects to broker
 * {@code i % brokers}. Every socket opens without credit; the window opens when the credit is
 * granted (a group once its members own every partition, disjointly) and closes when every
 * partition has been delivered up to its end. A plain reader reads each of its partitions
 * ({@code p % members == i}) on a socket of its own, from offset 0.
 */
final class GroupConsume implements Command {

    @Override
    public Result run(Args args) throws Exception {
        List<URI> urls = ClusterBrokers.urls(args);
        String topic = args.required("topic");
        String mode = args.string("mode", "group");
        String group = args.string("group", topic + "-readers");
        int partitions = args.integer("partitions", 8);
        int replicationFactor = args.integer("replication-factor", 3);
        int members = args.integer("members", 4);
        long fill = args.longValue("fill-records", 1_000_000);
        int recordSize = args.integer("record-size", 1024);
        int credits = args.integer("credits", 5_000);
        Duration maxTime = Duration.ofSeconds(args.longValue("max-seconds", 300));
        args.requireAllRead();
        if (!mode.equals("group") && !mode.equals("plain")) {
            throw new IllegalArgumentException("--mode group|plain: " + mode);
        }

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest rest = new SluiceRest(vertx, urls.get(0), 8);
            Map<String, String> config = replicationFactor >= 3
                    ? Map.of("remote.storage.enable", "false", "min.insync.replicas", "2")
                    : Map.of("remote.storage.enable", "false");
            Benchmarks.await(rest.createTopic(topic, partitions, replicationFactor, config), Duration.ofSeconds(60));
            long[] ends = ends(rest, topic, partitions);
            if (sum(ends) < fill) {
                long target = fill;
                fill(vertx, rest, topic, fill - sum(ends), recordSize);
                // acks=1: the high watermarks reach the end once the followers have the records
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while ((ends = ends(rest, topic, partitions)) != null && sum(ends) < target) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("the high watermarks of " + topic + " reach " + sum(ends)
                                + " of the " + target + " records filled");
                    }
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
            Run run = new Run(ends, members);
            List<MemberSocket> sockets = new ArrayList<>();
            String base = "topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "&format=binary";
            for (int i = 0; i < members; i++) {
                URI url = urls.get(i % urls.size());
                if (mode.equals("group")) {
                    sockets.add(Benchmarks.await(MemberSocket.open(vertx, url, base + "&group="
                            + URLEncoder.encode(group, StandardCharsets.UTF_8) + "&from=earliest", run, run.reader(i)),
                            Duration.ofSeconds(30)));
                } else {
                    for (int p = i; p < partitions; p += members) {
                        sockets.add(Benchmarks.await(MemberSocket.open(vertx, url, base + "&partition=" + p
                                + "&offset=0", run, run.reader(i)), Duration.ofSeconds(30)));
                        run.reader(i).onAssigned(new JsonArray().add(new JsonObject().put("partition", p)));
                    }
                }
            }
            run.owningEverything.get(60, TimeUnit.SECONDS);
            MeasuredWindow window = MeasuredWindow.open();
            vertx.runOnContext(ignored -> sockets.forEach(s -> s.start(credits)));
            MeasuredWindow.Span span;
            try {
                run.done.get(maxTime.toSeconds(), TimeUnit.SECONDS);
                span = window.close();
            } finally {
                vertx.runOnContext(ignored -> sockets.forEach(MemberSocket::close));
            }
            long backlog = sum(ends);
            double recordsPerSecond = backlog / span.seconds();
            return new Result()
                    .put("mode", mode)
                    .put("readers", members)
                    .put("sockets", sockets.size())
                    .put("partitions", partitions)
                    .put("records", backlog)
                    .put("delivered", run.delivered)
                    .put("duplicates", run.duplicates)
                    .put("seconds", span.seconds())
                    .put("records_per_sec", recordsPerSecond)
                    .put("mib_per_sec", recordsPerSecond * recordSize / (1024.0 * 1024.0))
                    .put("client_cpu_pct", span.cpuPercentOfOneCore());
        } finally {
            Benchmarks.close(vertx);
        }
    }

    private static long[] ends(SluiceRest rest, String topic, int partitions) throws Exception {
        long[] ends = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            ends[p] = Benchmarks.await(rest.partitionState(topic, p), Duration.ofSeconds(30)).getLong("highWatermark");
        }
        return ends;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }

    /** Round-robin records of {@code recordSize}, acks=1, batches of 1000, 4 in flight. */
    private static void fill(Vertx vertx, SluiceRest rest, String topic, long records, int recordSize)
            throws Exception {
        ProduceThroughput.Settings settings = new ProduceThroughput.Settings(topic, Map.of(), "1", "binary", 1000,
                recordSize, 4, 0, records, Duration.ofSeconds(1200));
        Result filled = ProduceThroughput.start(vertx, rest, settings).get(settings.bound().toSeconds(), TimeUnit.SECONDS);
        if (!"true".equals(filled.field("complete"))) {
            throw new IllegalStateException("filling " + topic + " did not finish: " + filled.field("records"));
        }
    }

    /**
     * Counts records on the event loop, and follows who owns which partition so that the window
     * opens on a settled group: every reader owning some partition, every partition owned once.
     */
    private static final class Run implements GroupFrame.RecordSink {

        private final long[] ends;
        private final long[] next;
        private final int readers;
        private final Map<Integer, Set<Integer>> ownedBy = new HashMap<>();
        private final CompletableFuture<Void> owningEverything = new CompletableFuture<>();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int partitionsDone;
        private long delivered;
        private long duplicates;

        Run(long[] ends, int readers) {
            this.ends = ends;
            this.next = new long[ends.length];
            this.readers = readers;
            for (int p = 0; p < ends.length; p++) {
                if (ends[p] == 0) {
                    partitionsDone++;
                }
            }
        }

        @Override
        public void accept(int partition, long offset) {
            if (offset >= ends[partition]) {
                return; // produced after the backlog was measured: not part of it
            }
            delivered++;
            if (offset < next[partition]) {
                duplicates++; // delivered again (a partition that moved resumes from its last commit)
            } else {
                boolean wasDone = next[partition] >= ends[partition];
                next[partition] = offset + 1;
                if (!wasDone && next[partition] >= ends[partition] && ++partitionsDone == ends.length) {
                    done.complete(null);
                }
            }
        }

        /** The listener of reader {@code i}'s sockets. */
        MemberSocket.Listener reader(int i) {
            return new MemberSocket.Listener() {
                @Override
                public void onAssigned(JsonArray partitions) {
                    change(i, partitions, true);
                }

                @Override
                public void onRevoked(JsonArray partitions) {
                    change(i, partitions, false);
                }

                @Override
                public void onFailure(Throwable failure) {
                    owningEverything.completeExceptionally(failure);
                    done.completeExceptionally(failure);
                }
            };
        }

        private synchronized void change(int reader, JsonArray partitions, boolean add) {
            Set<Integer> mine = ownedBy.computeIfAbsent(reader, r -> new HashSet<>());
            for (int k = 0; k < partitions.size(); k++) {
                int p = partitions.getJsonObject(k).getInteger("partition");
                if (add) {
                    mine.add(p);
                } else {
                    mine.remove(p);
                }
            }
            Set<Integer> all = new HashSet<>();
            int owned = 0;
            for (Set<Integer> set : ownedBy.values()) {
                all.addAll(set);
                owned += set.size();
            }
            boolean everyReader = ownedBy.size() == readers && ownedBy.values().stream().noneMatch(Set::isEmpty);
            if (everyReader && all.size() == ends.length && owned == ends.length) {
                owningEverything.complete(null);
            }
        }
    }
}
