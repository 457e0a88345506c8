package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One failover round: finds the leader of a partition, takes it down with a signal ({@code KILL}
 * for a crash, {@code STOP} for a pause), and measures the time from the signal to the first
 * produce with {@code acks=all} to that partition that a surviving broker acknowledges.
 *
 * <p>The signal is sent from here, not by the caller, so the clock starts at the signal with no
 * JVM start in between: {@code kill -s SIG PID} runs as a child process, timed from just before
 * it starts (an upper bound by the few milliseconds of its fork). Before the signal each survivor
 * must acknowledge one write, so a cold path is not counted as failover. After it,
 * {@link FailoverProber} sends a one-record probe every {@code probe-interval-ms} through the
 * survivors in turn, without waiting for earlier ones (a request held by a broker that still
 * forwards to the dead leader does not delay the next), so the figure is the first
 * acknowledgement to within about one interval. Restarting or resuming the broker is the
 * caller's; a round with no acknowledgement within {@code timeout-seconds} fails.
 */
final class Failover implements Command {

    private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Result run(Args args) throws Exception {
        List<URI> urls = ClusterBrokers.urls(args);
        List<Long> pids = Arrays.stream(args.required("pids").split(",")).map(Long::parseLong).toList();
        String topic = args.required("topic");
        int partition = args.integer("partition", 0);
        String signal = args.string("signal", "KILL").toUpperCase(Locale.ROOT);
        Duration timeout = Duration.ofSeconds(args.longValue("timeout-seconds", 30));
        Duration interval = Duration.ofMillis(args.longValue("probe-interval-ms", 20));
        Duration requestTimeout = Duration.ofMillis(args.longValue("request-timeout-ms", 3_000));
        args.requireAllRead();
        if (pids.size() != urls.size()) {
            throw new IllegalArgumentException("--pids needs one pid per URL of --urls: " + pids + " for " + urls);
        }
        if (!signal.equals("KILL") && !signal.equals("STOP")) {
            throw new IllegalArgumentException("--signal must be KILL or STOP: " + signal);
        }

        Vertx vertx = Benchmarks.vertx(1);
        try {
            ClusterBrokers brokers = new ClusterBrokers(vertx, urls);
            ClusterBrokers.PartitionView before = brokers.await(topic, partition, brokers.ids(),
                    v -> v.leader() >= 0 && v.leader() < urls.size(), "leader", WARM_UP_TIMEOUT);
            int victim = before.leader();
            List<Integer> survivors = new ArrayList<>(brokers.ids());
            survivors.remove(Integer.valueOf(victim));

            FailoverProber prober = new FailoverProber(vertx, brokers, survivors, topic, partition, requestTimeout);
            for (int broker : survivors) {
                prober.awaitWrite(broker, WARM_UP_TIMEOUT);
            }
            long signalledAt = System.nanoTime();
            long signalNanos = signal(pids.get(victim), signal);
            FailoverProber.Success first = prober.firstAcknowledgement(signalledAt, interval, timeout)
                    .get(timeout.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            ClusterBrokers.PartitionView after = brokers.describe(topic, partition, survivors);
            // a write the old leader's epoch still covers was not taken by a new leader: say so
            boolean newEpoch = after != null && after.leader() != victim && after.leaderEpoch() > before.leaderEpoch();
            if (!newEpoch) {
                System.err.println("acknowledged, but the partition now reads " + after + " (before: " + before + ")");
            }

            return new Result()
                    .put("victim", victim)
                    .put("signal", signal)
                    .put("failover_ms", (first.ackNanos() - signalledAt) / 1e6)
                    .put("signal_ms", signalNanos / 1e6)
                    .put("via", first.broker())
                    .put("probes", prober.probes())
                    .put("outcomes", prober.outcomes())
                    .put("leader_epoch_before", before.leaderEpoch())
                    .put("new_leader", after == null ? -1 : after.leader())
                    .put("leader_epoch_after", after == null ? -1 : after.leaderEpoch())
                    .put("new_epoch", newEpoch);
        } finally {
            Benchmarks.close(vertx);
        }
    }

    /** Sends SIGKILL or SIGSTOP to {@code pid} with the system's kill; returns how long that took. */
    private static long signal(long pid, String signal) throws Exception {
        long start = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -s " + signal + " " + pid + " did not return");
        }
        if (kill.exitValue() != 0) {
            throw new IllegalStateException("kill -s " + signal + " " + pid + " failed: exit " + kill.exitValue());
        }
        return System.nanoTime() - start;
    }
}
