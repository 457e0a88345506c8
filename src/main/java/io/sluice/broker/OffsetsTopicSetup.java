package io.sluice.broker;

import io.sluice.cluster.MetadataStore;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.GroupSettings;
import io.sluice.group.OffsetsTopic;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates {@code __consumer_offsets} on the first use of a group, through the cluster's ordinary
 * topic creation (so it is placed, replicated and elected like any topic): 50 partitions,
 * replication factor {@code min(offsets-topic-replication-factor, registered brokers)},
 * {@code min.insync.replicas = min(2, RF)}, compacted, never tiered, 16 MiB segments. Brokers that
 * race to create it are fine: the loser finds it there. A cluster whose seed list names brokers that
 * have not registered yet is refused (COORDINATOR_NOT_AVAILABLE) rather than given a topic with fewer
 * replicas than it will have brokers, since the replication factor never grows by itself.
 */
final class OffsetsTopicSetup {
    static final int SEGMENT_BYTES = 16 * 1024 * 1024;
    /** Brokers a cluster of static members waits for (at most) before it creates the topic. */
    static final int WAIT_FOR_BROKERS = 3;

    /** The cluster's topic creation (blocking: it waits until this broker serves the topic). */
    interface Creator {
        void create(String name, int partitions, int replicationFactor, Map<String, String> config);
    }

    private final MetadataStore store;
    private final Topics topics;
    private final ClusterSettings cluster;
    private final GroupSettings groups;
    private final Creator creator;
    private final ExecutorService adminThread;
    private final AtomicReference<CompletableFuture<Void>> creating = new AtomicReference<>();

    OffsetsTopicSetup(MetadataStore store, Topics topics, ClusterSettings cluster, GroupSettings groups,
            Creator creator, ExecutorService adminThread) {
        this.store = store;
        this.topics = topics;
        this.cluster = cluster;
        this.groups = groups;
        this.creator = creator;
        this.adminThread = adminThread;
    }

    /** Whether the topic exists (in this broker's copy of the metadata). */
    boolean exists() {
        return topics.find(OffsetsTopic.NAME) != null || store.topics().containsKey(OffsetsTopic.NAME);
    }

    /** Completes once the topic exists; creates it (once at a time on this broker) when it does not. */
    CompletableFuture<Void> ensure() {
        if (exists()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = creating.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        mine.whenComplete((v, e) -> creating.compareAndSet(mine, null));
        try {
            adminThread.execute(() -> {
                try {
                    createNow();
                    mine.complete(null);
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            mine.completeExceptionally(new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "the broker is stopping"));
        }
        return mine;
    }

    private void createNow() {
        if (exists()) {
            return;
        }
        int registered = Math.max(1, store.brokers().size());
        if (cluster.dnsQuery() == null && !cluster.members().isEmpty()) {
            int expected = Math.min(WAIT_FOR_BROKERS, cluster.members().size());
            if (registered < expected) {
                throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "only " + registered + " of the "
                        + expected + " brokers this cluster expects have registered; " + OffsetsTopic.NAME
                        + " is created once they have, so that it gets all its replicas");
            }
        }
        int rf = Math.max(1, Math.min(groups.offsetsReplicationFactor(), registered));
        Map<String, String> config = Map.of(
                TopicConfig.CLEANUP_POLICY, "compact",
                TopicConfig.MIN_INSYNC_REPLICAS, Integer.toString(Math.min(2, rf)),
                TopicConfig.REMOTE_STORAGE_ENABLE, "false",
                TopicConfig.SEGMENT_BYTES, Integer.toString(SEGMENT_BYTES));
        try {
            creator.create(OffsetsTopic.NAME, OffsetsTopic.PARTITIONS, rf, config);
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                throw e;
            }
        }
    }
}
