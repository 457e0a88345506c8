package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.SluiceException;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.OffsetsTopic;
import io.sluice.replication.ReplicaManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the group coordinator which {@code __consumer_offsets} partitions this broker leads: a
 * partition it starts leading is taken over (replayed), one it stops leading is given up. Changes
 * run in order on one thread of their own, never on the replica's thread that changed the role. A
 * takeover that fails while the broker still leads is tried again; only the latest takeover of a
 * partition is: a failure of one that was given up since (its leadership flapped) must not give up
 * the takeover that replaced it, whose groups and members are live.
 */
final class GroupLeadership implements ReplicaManager.LeadershipListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GroupLeadership.class.getName());
    static final long RETRY_TAKEOVER_MS = 1_000;

    private final GroupCoordinator coordinator;
    private final ReplicaManager replicas;
    private final ScheduledExecutorService thread;
    /** Partitions handed to the coordinator; confined to {@link #thread}. */
    private final Set<Integer> taken = new HashSet<>();
    /** Partitions whose takeover failed and was logged at WARNING; the repeats go to DEBUG. Confined to {@link #thread}. */
    private final Set<Integer> failing = new HashSet<>();
    /** The latest takeover of each partition taken, by a number never reused. Confined to {@link #thread}. */
    private final Map<Integer, Long> attempts = new HashMap<>();
    private long nextAttempt;

    GroupLeadership(GroupCoordinator coordinator, ReplicaManager replicas, ScheduledExecutorService thread) {
        this.coordinator = coordinator;
        this.replicas = replicas;
        this.thread = thread;
    }

    @Override
    public void leadershipChanged(TopicPartition partition, boolean leading) {
        if (!OffsetsTopic.NAME.equals(partition.topic())) {
            return;
        }
        run(() -> apply(partition.partition(), leading));
    }

    private void apply(int partition, boolean leading) {
        if (leading) {
            if (taken.add(partition)) {
                takeOver(partition);
            }
        } else if (taken.remove(partition)) {
            attempts.remove(partition);
            try {
                coordinator.giveUp(partition);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "giving up " + OffsetsTopic.NAME + "-" + partition, e);
            }
        }
    }

    private void takeOver(int partition) {
        long attempt = ++nextAttempt;
        attempts.put(partition, attempt);
        CompletableFuture<Void> loading;
        try {
            loading = coordinator.takeOver(partition);
        } catch (RuntimeException e) {
            loading = CompletableFuture.failedFuture(e);
        }
        loading.whenComplete((v, e) -> run(() -> {
            if (!current(partition, attempt)) {
                return; // given up (and maybe taken over again) since: not this attempt's to retry
            }
            if (e == null) {
                failing.remove(partition);
                return;
            }
            LOG.log(failing.add(partition) ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "taking over the groups of {0}-{1} failed ({2}); tried again while this broker leads it",
                    OffsetsTopic.NAME, partition, SluiceException.causeOf(e).toString());
            try {
                thread.schedule(() -> retry(partition, attempt), RETRY_TAKEOVER_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // closing
            }
        }));
    }

    private boolean current(int partition, long attempt) {
        Long latest = attempts.get(partition);
        return taken.contains(partition) && latest != null && latest == attempt;
    }

    private void retry(int partition, long attempt) {
        if (current(partition, attempt)
                && replicas.leaderEpochIfLeading(new TopicPartition(OffsetsTopic.NAME, partition)) >= 0) {
            coordinator.giveUp(partition);
            takeOver(partition);
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException stopping) {
            // the broker is closing: its coordinator goes with it
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
