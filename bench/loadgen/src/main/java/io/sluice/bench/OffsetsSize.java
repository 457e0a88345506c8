package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The size of {@code __consumer_offsets} after {@code commits} committed offsets, before and after
 * compaction. One member of a fresh group, with no credit and {@code autoCommit=false}, owns every
 * partition of a topic of {@code partitions} partitions (filled first with {@code commits /
 * partitions} small records each, so every committed offset is one the partition has); commit
 * message k commits offset k+1 for all of them, {@code window} messages in flight. Then the
 * offsets partition that grew is read on its leader ({@code sizeBytes}, {@code segments} of
 * {@code GET /topics/__consumer_offsets}) and again every 2 s until it shrinks (compaction) or
 * {@code compaction-wait-seconds} pass.
 */
final class OffsetsSize implements Command {

    private static final String OFFSETS = "__consumer_offsets";

    @Override
    public Result run(Args args) throws Exception {
        List<URI> urls = ClusterBrokers.urls(args);
        String topic = args.string("topic", "committed");
        String group = args.string("group", "committer");
        int partitions = args.integer("partitions", 100);
        long commits = args.longValue("commits", 1_000_000);
        int window = args.integer("window", 16);
        long compactionWait = args.longValue("compaction-wait-seconds", 180);
        args.requireAllRead();
        long messages = (commits + partitions - 1) / partitions;

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest rest = new SluiceRest(vertx, urls.get(0), 8);
            Benchmarks.await(rest.createTopic(topic, partitions, 3,
                    Map.of("remote.storage.enable", "false", "min.insync.replicas", "2")), Duration.ofSeconds(60));
            ProduceThroughput.Settings fill = new ProduceThroughput.Settings(topic, Map.of(), "1", "binary", 1000, 16,
                    4, 0, messages * partitions, Duration.ofSeconds(600));
            ProduceThroughput.start(vertx, rest, fill).get(fill.bound().toSeconds(), TimeUnit.SECONDS);

            Committer committer = Committer.join(urls.get(1 % urls.size()), group, topic, partitions);
            MeasuredWindow measured = MeasuredWindow.open();
            Semaphore inFlight = new Semaphore(window);
            for (long k = 0; k < messages; k++) {
                inFlight.acquire();
                committer.check();
                committer.commit(topic, partitions, k + 1, inFlight);
            }
            inFlight.acquire(window);
            committer.check();
            MeasuredWindow.Span span = measured.close();
            committer.leave();

            Size before = largest(vertx, urls);
            Size after = before;
            long compactedAfterMs = -1;
            long started = System.nanoTime();
            while (System.nanoTime() - started < compactionWait * 1_000_000_000L) {
                TimeUnit.SECONDS.sleep(2);
                Size now = largest(vertx, urls);
                if (now.bytes() < after.bytes()) {
                    after = now;
                    compactedAfterMs = (System.nanoTime() - started) / 1_000_000;
                } else if (compactedAfterMs >= 0) {
                    break;
                }
            }
            return new Result()
                    .put("commits", messages * partitions)
                    .put("commit_messages", messages)
                    .put("partitions_per_commit", partitions)
                    .put("seconds", span.seconds())
                    .put("commits_per_sec", messages * partitions / span.seconds())
                    .put("offsets_partition", before.partition())
                    .put("before_bytes", before.bytes())
                    .put("before_segments", before.segments())
                    .put("after_bytes", after.bytes())
                    .put("after_segments", after.segments())
                    .put("compacted", compactedAfterMs >= 0)
                    .put("compacted_after_ms", compactedAfterMs);
        } finally {
            Benchmarks.close(vertx);
        }
    }

    /** A partition of the offsets topic on its leader. */
    private record Size(int partition, long bytes, int segments) {
    }

    /** The largest partition of {@code __consumer_offsets}, as its leader describes its own replica. */
    private static Size largest(Vertx vertx, List<URI> urls) throws Exception {
        SluiceRest any = new SluiceRest(vertx, urls.get(0), 1);
        JsonArray states = Benchmarks.await(any.topic(OFFSETS), Duration.ofSeconds(30)).getJsonArray("partitionStates");
        Size largest = new Size(-1, -1, 0);
        for (int i = 0; i < states.size(); i++) {
            JsonObject s = states.getJsonObject(i);
            if (s.getLong("sizeBytes") > largest.bytes()) {
                largest = new Size(s.getInteger("partition"), s.getLong("sizeBytes"), s.getInteger("segments"));
            }
        }
        int leader = Benchmarks.await(any.partitionState(OFFSETS, largest.partition()), Duration.ofSeconds(30))
                .getInteger("leader");
        JsonObject own = Benchmarks.await(new SluiceRest(vertx, urls.get(leader), 1)
                .partitionState(OFFSETS, largest.partition()), Duration.ofSeconds(30));
        return new Size(largest.partition(), own.getLong("sizeBytes"), own.getInteger("segments"));
    }

    /** The one member: joins with no credit and without auto-commit, and counts committed replies. */
    private static final class Committer implements WebSocket.Listener {
        private final Set<Integer> owned = new HashSet<>();
        private final StringBuilder partial = new StringBuilder();
        private final AtomicLong committed = new AtomicLong();
        private final CompletableFuture<Void> owningAll = new CompletableFuture<>();
        private final int partitions;
        private volatile String failure;
        private volatile Semaphore replies;
        private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
        private WebSocket socket;

        private Committer(int partitions) {
            this.partitions = partitions;
        }

        static Committer join(URI base, String group, String topic, int partitions) throws Exception {
            Committer c = new Committer(partitions);
            URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws/consume?group=" + group
                    + "&topic=" + topic + "&autoCommit=false&credits=0");
            c.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, c).get(30, TimeUnit.SECONDS);
            c.owningAll.get(60, TimeUnit.SECONDS);
            return c;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject message = new JsonObject(partial.toString());
                partial.setLength(0);
                switch (message.getString("type")) {
                    case "assigned" -> message.getJsonArray("partitions")
                            .forEach(p -> owned.add(((JsonObject) p).getInteger("partition")));
                    case "committed" -> {
                        committed.incrementAndGet();
                        replies.release();
                    }
                    case "error" -> {
                        failure = message.encode();
                        owningAll.completeExceptionally(new IllegalStateException(failure));
                        if (replies != null) {
                            replies.release();
                        }
                    }
                    default -> {
                    }
                }
                if (owned.size() == partitions) {
                    owningAll.complete(null);
                }
            }
            webSocket.request(1);
            return null;
        }

        void commit(String topic, int partitions, long offset, Semaphore replies) {
            this.replies = replies;
            StringBuilder frame = new StringBuilder("{\"type\":\"commit\",\"offsets\":[");
            for (int p = 0; p < partitions; p++) {
                frame.append(p == 0 ? "" : ",").append("{\"topic\":\"").append(topic).append("\",\"partition\":")
                        .append(p).append(",\"offset\":").append(offset).append('}');
            }
            String text = frame.append("]}").toString();
            synchronized (this) {
                lastSend = lastSend.thenCompose(ignored -> socket.sendText(text, true));
            }
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("commit refused after " + committed.get() + " commits: " + failure);
            }
        }

        void leave() throws Exception {
            synchronized (this) {
                lastSend = lastSend.thenCompose(ignored -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
            }
            lastSend.get(10, TimeUnit.SECONDS);
        }
    }
}
