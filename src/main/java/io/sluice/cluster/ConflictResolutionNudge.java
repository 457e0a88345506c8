package io.sluice.cluster;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;
import org.infinispan.topology.ClusterCacheStatus;
import org.infinispan.topology.ClusterTopologyManager;

/**
 * Works around a defect of Infinispan 16 (seen in 16.0.9, still in 16.2.2). With DENY_READ_WRITES
 * partition handling, when a member is lost while a merge's conflict resolution runs, the resolution
 * fails and stays pending: the coordinator keeps it "to restart on the next view", but only the
 * strategy of ALLOW_READ_WRITES caches restarts it, and no rebalance starts while one is pending. No
 * broker could then join the cluster again (its initial state transfer timed out) until the
 * coordinator itself left.
 *
 * <p>On the coordinator, the nudge restarts a pending resolution without the members the cluster
 * lost, as the other strategy does on every view change: every second, and at once when asked (after a
 * view change). Where none is pending, or it already runs with those members, it does nothing. The
 * coordinator's cache states are not public API, so they are reached by reflection; if that ever
 * fails (another Infinispan version), the nudge logs it once and is off.
 */
final class ConflictResolutionNudge implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConflictResolutionNudge.class.getName());
    private static final long INTERVAL_MS = 1_000;

    private final EmbeddedCacheManager manager;
    private final List<String> cacheNames;
    private final Map<String, ClusterCacheStatus> statuses;
    private final ScheduledExecutorService thread;

    private ConflictResolutionNudge(EmbeddedCacheManager manager, List<String> cacheNames,
            Map<String, ClusterCacheStatus> statuses, String threadName) {
        this.manager = manager;
        this.cacheNames = List.copyOf(cacheNames);
        this.statuses = statuses;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::nudge, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts nudging the named caches of a running, clustered cache manager. */
    @SuppressWarnings("unchecked")
    static ConflictResolutionNudge start(EmbeddedCacheManager manager, List<String> cacheNames, String threadName) {
        Map<String, ClusterCacheStatus> statuses;
        try {
            Object topologyManager = GlobalComponentRegistry.componentOf(manager, ClusterTopologyManager.class);
            Field field = topologyManager.getClass().getDeclaredField("cacheStatusMap");
            field.setAccessible(true);
            statuses = (Map<String, ClusterCacheStatus>) field.get(topologyManager);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch the metadata caches' conflict resolution after a "
                    + "merge (Infinispan internals changed?); a broker lost during one may keep others from joining "
                    + "until the cluster's coordinator restarts: " + e);
            statuses = Map.of();
        }
        return new ConflictResolutionNudge(manager, cacheNames, statuses, threadName);
    }

    /** Nudges now, on the nudge's thread. */
    void nudgeSoon() {
        try {
            thread.execute(this::nudge);
        } catch (RejectedExecutionException closed) {
            // closed
        }
    }

    private void nudge() {
        try {
            nudgeCaches();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "checking the metadata caches' conflict resolution failed; tried "
                    + "again in a second", e);
        }
    }

    private void nudgeCaches() {
        if (!manager.isCoordinator()) {
            return;
        }
        for (String name : cacheNames) {
            ClusterCacheStatus status = statuses.get(name);
            if (status == null) {
                continue;
            }
            CacheTopology topology = status.getCurrentTopology();
            if (topology == null) {
                continue;
            }
            // as ALLOW_READ_WRITES caches do on a view change: only members lost, never joiners added
            List<Address> members = new ArrayList<>(topology.getMembers());
            if (members.retainAll(manager.getMembers()) && status.restartConflictResolution(members)) {
                LOG.log(System.Logger.Level.WARNING, "cache {0}: the merge''s conflict resolution lost a member; "
                        + "restarted with {1}", name, members);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
