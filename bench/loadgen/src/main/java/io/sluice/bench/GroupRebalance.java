package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a group of {@code members} takes to deliver every partition again after one member
 * leaves cleanly ({@code --exit leave}: a close frame) or dies ({@code --exit abort}: the socket
 * dropped, so the group waits for its session timeout), under {@code --protocol eager|cooperative}.
 *
 * <p>A producer writes {@code rate} small records a second, one per partition in turn, through
 * the brokers in turn (acks=1). Member i connects to broker {@code i % brokers} with
 * {@code from=latest}. Once every partition is owned by exactly one member and has delivered a
 * record to it, and {@code settle-seconds} passed, member 0 exits at t0. Full delivery: the first
 * moment at which every partition has delivered a record, after t0, to the member that owns it
 * then, after that member was handed it. Members whose partitions did not move (they still own
 * everything they owned before t0): the longest gap between their records messages from 1 s
 * before t0 to 1 s after full delivery, against the same figure over the settle period before t0.
 */
final class GroupRebalance implements Command {

    @Override
    public Result run(Args args) throws Exception {
        List<URI> urls = ClusterBrokers.urls(args);
        String topic = args.string("topic", "rebalance");
        int partitions = args.integer("partitions", 20);
        int replicationFactor = args.integer("replication-factor", 3);
        int count = args.integer("members", 10);
        String protocol = args.string("protocol", "cooperative");
        String exit = args.string("exit", "leave");
        int rate = args.integer("rate", 2000);
        long sessionTimeoutMs = args.longValue("session-timeout-ms", 3000);
        long settleMs = args.longValue("settle-seconds", 3) * 1000;
        Duration maxTime = Duration.ofSeconds(args.longValue("max-seconds", 60));
        String group = args.string("group", "rebalance-" + protocol + "-" + exit);
        args.requireAllRead();
        if (!exit.equals("leave") && !exit.equals("abort")) {
            throw new IllegalArgumentException("--exit leave|abort: " + exit);
        }

        Vertx vertx = Benchmarks.vertx(1);
        HttpClient http = HttpClient.newHttpClient();
        List<RebalanceMember> members = new ArrayList<>();
        try {
            List<SluiceRest> rests = new ArrayList<>();
            for (URI url : urls) {
                rests.add(new SluiceRest(vertx, url, 4));
            }
            Map<String, String> config = replicationFactor >= 3
                    ? Map.of("remote.storage.enable", "false", "min.insync.replicas", "2")
                    : Map.of("remote.storage.enable", "false");
            Benchmarks.await(rests.get(0).createTopic(topic, partitions, replicationFactor, config),
                    Duration.ofSeconds(60));
            AtomicLong produced = new AtomicLong();
            AtomicLong producerErrors = new AtomicLong();
            long timer = startProducer(vertx, rests, topic, partitions, rate, produced, producerErrors);
            String query = "group=" + group + "&topic=" + topic + "&from=latest&format=string&credits=1000"
                    + "&rebalance=" + protocol + "&sessionTimeoutMs=" + sessionTimeoutMs + "&autoCommitIntervalMs=500";
            for (int i = 0; i < count; i++) {
                members.add(RebalanceMember.join(http, "m" + i, urls.get(i % urls.size()), query));
            }
            long deadline = System.nanoTime() + maxTime.toNanos();
            await(() -> settled(members, partitions), deadline, "the group of " + count + " to settle", members);
            Thread.sleep(settleMs);

            RebalanceMember victim = members.get(0);
            List<RebalanceMember> survivors = members.subList(1, members.size());
            Map<String, Set<Integer>> before = new HashMap<>();
            survivors.forEach(m -> before.put(m.name(), m.owned()));
            Set<Integer> moved = victim.owned();
            long t0 = System.nanoTime();
            if (exit.equals("leave")) {
                victim.leave();
            } else {
                victim.abort();
            }
            deadline = System.nanoTime() + maxTime.toNanos();
            long[] full = new long[1];
            await(() -> (full[0] = fullDelivery(survivors, partitions, t0)) > 0, deadline,
                    "every partition to deliver again", survivors);
            Thread.sleep(1000);
            vertx.cancelTimer(timer);

            long end = full[0] + 1_000_000_000L;
            long unmoved = 0;
            long unmovedRevocations = 0;
            long maxGap = 0;
            long baselineGap = 0;
            for (RebalanceMember m : survivors) {
                if (!m.owned().containsAll(before.get(m.name()))) {
                    continue;
                }
                unmoved++;
                List<RebalanceMember.Event> events = m.events();
                unmovedRevocations += events.stream().filter(e -> e.nanos() > t0
                        && e.kind() == RebalanceMember.Kind.REVOKED).count();
                maxGap = Math.max(maxGap, maxGap(events, t0 - 1_000_000_000L, end));
                baselineGap = Math.max(baselineGap, maxGap(events, t0 - settleMs * 1_000_000L, t0));
            }
            return new Result()
                    .put("protocol", protocol)
                    .put("exit", exit)
                    .put("members", count)
                    .put("partitions", partitions)
                    .put("session_timeout_ms", sessionTimeoutMs)
                    .put("full_delivery_ms", (full[0] - t0) / 1e6)
                    .put("moved_partitions", moved.size())
                    .put("unmoved_members", unmoved)
                    .put("unmoved_revocations", unmovedRevocations)
                    .put("unmoved_max_gap_ms", maxGap / 1e6)
                    .put("baseline_max_gap_ms", baselineGap / 1e6)
                    .put("produced", produced.get())
                    .put("producer_errors", producerErrors.get());
        } finally {
            members.forEach(RebalanceMember::abort);
            Benchmarks.close(vertx);
        }
    }

    /** Every tick of 10 ms, rate/100 records, one per partition in turn, through the brokers in turn. */
    private static long startProducer(Vertx vertx, List<SluiceRest> rests, String topic, int partitions, int rate,
                                      AtomicLong produced, AtomicLong errors) {
        int perTick = Math.max(1, rate / 100);
        long[] tick = new long[1];
        String value = new String(ProduceBody.letters(64, 7), java.nio.charset.StandardCharsets.US_ASCII);
        return vertx.setPeriodic(10, id -> {
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < perTick; i++) {
                body.append(i == 0 ? "" : ",").append("{\"partition\":")
                        .append((tick[0] * perTick + i) % partitions).append(",\"value\":\"").append(value).append("\"}");
            }
            body.append("]}");
            SluiceRest rest = rests.get((int) (tick[0]++ % rests.size()));
            rest.produce(topic, "1", "string", Buffer.buffer(body.toString())).onComplete(reply -> {
                if (reply.succeeded() && reply.result().status() == 200) {
                    produced.addAndGet(perTick);
                } else {
                    errors.addAndGet(perTick);
                }
            });
        });
    }

    /** Every partition owned by exactly one member, every member owning some, each partition delivering. */
    private static boolean settled(List<RebalanceMember> members, int partitions) {
        Map<Integer, RebalanceMember> owners = owners(members);
        if (owners == null || owners.size() != partitions || members.stream().anyMatch(m -> m.owned().isEmpty())) {
            return false;
        }
        return fullDelivery(members, partitions, System.nanoTime() - 500_000_000L) > 0;
    }

    /** The owner of each partition, or null when some partition is owned twice. */
    private static Map<Integer, RebalanceMember> owners(List<RebalanceMember> members) {
        Map<Integer, RebalanceMember> owners = new HashMap<>();
        for (RebalanceMember m : members) {
            for (int p : m.owned()) {
                if (owners.put(p, m) != null) {
                    return null;
                }
            }
        }
        return owners;
    }

    /**
     * The time by which every partition delivered a record, after {@code since}, to its current
     * owner after it was handed the partition; 0 while some partition has not.
     */
    private static long fullDelivery(List<RebalanceMember> members, int partitions, long since) {
        Map<Integer, RebalanceMember> owners = owners(members);
        if (owners == null || owners.size() != partitions) {
            return 0;
        }
        long latest = 0;
        Map<RebalanceMember, List<RebalanceMember.Event>> events = new HashMap<>();
        for (Map.Entry<Integer, RebalanceMember> e : owners.entrySet()) {
            int p = e.getKey();
            List<RebalanceMember.Event> of = events.computeIfAbsent(e.getValue(), m -> m.eventsSince(since));
            long from = since;
            for (RebalanceMember.Event ev : of) {
                if (ev.partition() == p && ev.kind() == RebalanceMember.Kind.ASSIGNED && ev.nanos() > from) {
                    from = ev.nanos();
                }
            }
            long delivered = 0;
            for (RebalanceMember.Event ev : of) {
                if (ev.partition() == p && ev.kind() == RebalanceMember.Kind.RECORD && ev.nanos() >= from) {
                    delivered = ev.nanos();
                    break;
                }
            }
            if (delivered == 0) {
                return 0;
            }
            latest = Math.max(latest, delivered);
        }
        return latest;
    }

    /** The longest gap between records messages within [from, to], the edges counted as the window's ends. */
    static long maxGap(List<RebalanceMember.Event> events, long from, long to) {
        List<Long> times = new ArrayList<>(new HashSet<>(events.stream()
                .filter(e -> e.kind() == RebalanceMember.Kind.RECORD && e.nanos() >= from && e.nanos() <= to)
                .map(RebalanceMember.Event::nanos).toList()));
        times.sort(Comparator.naturalOrder());
        long gap = 0;
        long previous = from;
        for (long t : times) {
            gap = Math.max(gap, t - previous);
            previous = t;
        }
        return Math.max(gap, to - previous);
    }

    private interface Condition {
        boolean holds();
    }

    private static void await(Condition condition, long deadline, String what, List<RebalanceMember> members)
            throws InterruptedException {
        while (!condition.holds()) {
            for (RebalanceMember m : members) {
                if (m.failure() != null) {
                    throw new IllegalStateException(m.name() + " failed while waiting for " + what + ": " + m.failure());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder owned = new StringBuilder();
                members.forEach(m -> owned.append(m.name()).append('=').append(m.owned()).append(' '));
                throw new IllegalStateException("timed out waiting for " + what + "; owned: " + owned);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
