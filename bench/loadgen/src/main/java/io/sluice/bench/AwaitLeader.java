package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Waits until a partition of a cluster topic has a leader and an ISR of at least {@code isr}
 * replicas, creating the topic first when {@code --replication-factor} is given. Prints the
 * leader (its id and URL, so the caller can send to it) and how long the wait took. The bench
 * runs it before each measurement on the cluster and between failover rounds. With
 * {@code --preferred-leader true} it also waits for the preferred replica to lead: a failover
 * round that starts before the controller moved leadership back would signal a broker that is
 * about to stop leading, and time a failover that did not happen.
 */
final class AwaitLeader implements Command {

    @Override
    public Result run(Args args) throws Exception {
        List<URI> urls = ClusterBrokers.urls(args);
        String topic = args.required("topic");
        int partition = args.integer("partition", 0);
        int replicationFactor = args.integer("replication-factor", 0);
        int partitions = args.integer("partitions", 1);
        Map<String, String> config = args.keyValues("topic-config");
        int isr = args.integer("isr", replicationFactor > 0 ? replicationFactor : urls.size());
        Duration timeout = Duration.ofSeconds(args.longValue("timeout-seconds", 120));
        boolean preferred = Boolean.parseBoolean(args.string("preferred-leader", "false"));
        args.requireAllRead();

        Vertx vertx = Benchmarks.vertx(1);
        try {
            ClusterBrokers brokers = new ClusterBrokers(vertx, urls);
            long start = System.nanoTime();
            if (replicationFactor > 0) {
                brokers.createTopic(topic, partitions, replicationFactor, config, brokers.ids());
            }
            ClusterBrokers.PartitionView view = brokers.await(topic, partition, brokers.ids(),
                    v -> v.leader() >= 0 && v.leader() < urls.size() && v.isr().size() >= isr
                            && (!preferred || v.preferredLeads()),
                    (preferred ? "the preferred leader with an ISR of " : "leader with an ISR of ") + isr, timeout);
            return new Result()
                    .put("leader", view.leader())
                    .put("leader_url", brokers.url(view.leader()).toString())
                    .put("leader_epoch", view.leaderEpoch())
                    .put("isr", view.isrText())
                    .put("wait_ms", (System.nanoTime() - start) / 1_000_000);
        } finally {
            Benchmarks.close(vertx);
        }
    }
}
