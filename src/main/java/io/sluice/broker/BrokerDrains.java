package io.sluice.broker;

import io.sluice.cluster.ClusterAdmin;
import io.sluice.cluster.MetadataListener;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.TopicPartition;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drains brokers of their leaderships and waits for it: a drain is a mark in the cluster's metadata
 * (any broker writes it), the controller moves the leaderships, and the caller is answered once no
 * leadership the broker holds can move any more (it leads nothing, or only partitions with no other
 * in-sync replica that is alive and not draining) or its wait is over, whichever comes first. So the
 * last broker of a cluster to stop does not wait out its timeout for nothing. Waits hold no thread:
 * each is a future completed by a metadata event or by its timer.
 */
final class BrokerDrains {
    private final MetadataStore store;
    private final ClusterAdmin admin;
    private final ScheduledExecutorService scheduler;
    private final CopyOnWriteArrayList<Waiter> waiters = new CopyOnWriteArrayList<>();

    BrokerDrains(MetadataStore store, ClusterAdmin admin, ScheduledExecutorService scheduler) {
        this.store = store;
        this.admin = admin;
        this.scheduler = scheduler;
        store.addListener(new MetadataListener() {
            @Override
            public void partitionChanged(TopicPartition partition) {
                checkWaiters();
            }

            @Override
            public void drainingChanged() {
                checkWaiters();
            }

            @Override
            public void membershipChanged(Set<Integer> liveBrokers) {
                checkWaiters();
            }
        });
    }

    /**
     * Marks {@code broker} draining and completes once none of its leaderships can move (see above),
     * or after {@code timeoutMs}, with the partitions it still leads.
     * Throws BROKER_NOT_FOUND at once for a broker that never registered.
     */
    CompletableFuture<DrainStatus> drain(int broker, long timeoutMs) {
        admin.setDraining(broker, true);
        Waiter waiter = new Waiter(broker, new CompletableFuture<>());
        waiters.add(waiter);
        waiter.future.whenComplete((s, e) -> waiters.remove(waiter));
        if (timeoutMs > 0) {
            try {
                ScheduledFuture<?> timer = scheduler.schedule(() -> waiter.future.complete(status(broker)),
                        timeoutMs, TimeUnit.MILLISECONDS);
                waiter.future.whenComplete((s, e) -> timer.cancel(false));
            } catch (RejectedExecutionException stopping) {
                waiter.future.complete(status(broker));
            }
        }
        if (timeoutMs <= 0 || admin.movableLeaderships(broker) == 0) {
            waiter.future.complete(status(broker));
        }
        return waiter.future;
    }

    /** Clears the mark; the controller hands the broker its preferred leaderships back. */
    DrainStatus undrain(int broker) {
        admin.setDraining(broker, false);
        return status(broker);
    }

    DrainStatus status(int broker) {
        return new DrainStatus(broker, store.drainingBrokers().contains(broker), admin.leaderships(broker));
    }

    private void checkWaiters() {
        for (Waiter w : waiters) {
            if (admin.movableLeaderships(w.broker) == 0) {
                w.future.complete(status(w.broker));
            }
        }
    }

    private record Waiter(int broker, CompletableFuture<DrainStatus> future) {
    }
}
