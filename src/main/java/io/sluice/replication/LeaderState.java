package io.sluice.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the leader of one partition knows at one leader epoch: where each follower is, which
 * replicas are in sync, and so how far the high watermark may go. Pure bookkeeping: it decides,
 * the {@link ReplicaManager} writes ISR changes to the cluster and moves the log's high watermark.
 *
 * <p>A follower's position is the offset up to which its log is fsynced (it reports nothing
 * less durable), so a high watermark that is the smallest position in the ISR names records that
 * survive a power loss of every in-sync replica. The rule is strict, as Kafka's KIP-966: while the
 * ISR is smaller than {@code min.insync.replicas} the high watermark does not move at all.
 *
 * <p>Called from the replication listener's threads and the log's flush thread: every method is
 * synchronized, and none does I/O.
 */
final class LeaderState {
    private final int localId;
    private final int leaderEpoch;
    /** Where this epoch's first batch goes: a follower below it has not yet truncated to this leader. */
    private final long epochStartOffset;
    private final long lagTimeMaxMs;
    private final Map<Integer, Follower> followers = new HashMap<>();
    private List<Integer> replicas;
    private Set<Integer> isr;
    private int minInsyncReplicas;
    /** An ISR change written to the cluster and not yet seen back, so the same change is not proposed twice. */
    private List<Integer> pendingIsr;
    /** No ISR change is proposed before this time: the last one was not taken (the metadata refused writes). */
    private long noProposalBeforeMs;

    private static final class Follower {
        long fetchOffset = -1;
        long durableOffset = -1;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndAtLastFetch = -1;

        Follower(long now) {
            this.lastCaughtUpMs = now; // a follower gets a full lag period from the election on
        }
    }

    LeaderState(int localId, int leaderEpoch, long epochStartOffset, List<Integer> replicas, List<Integer> isr,
            int minInsyncReplicas, long lagTimeMaxMs, long now) {
        this.localId = localId;
        this.leaderEpoch = leaderEpoch;
        this.epochStartOffset = epochStartOffset;
        this.lagTimeMaxMs = lagTimeMaxMs;
        this.minInsyncReplicas = minInsyncReplicas;
        this.replicas = List.copyOf(replicas);
        this.isr = new LinkedHashSet<>(isr);
        for (int r : replicas) {
            if (r != localId) {
                followers.put(r, new Follower(now));
            }
        }
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    /** The log end when this leader was elected: where its epoch starts, written to or not. */
    long epochStartOffset() {
        return epochStartOffset;
    }

    synchronized List<Integer> isr() {
        return List.copyOf(isr);
    }

    synchronized int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    synchronized void setMinInsyncReplicas(int min) {
        this.minInsyncReplicas = min;
    }

    /** Whether an acks=all write may be taken now: the ISR is large enough for the high watermark to move. */
    synchronized boolean enoughInSync() {
        return isr.size() >= minInsyncReplicas;
    }

    /** The cluster's view of replicas and ISR moved on (a proposal landed, or the controller changed it). */
    synchronized void updateMembership(List<Integer> newReplicas, List<Integer> newIsr, long now) {
        // A follower taken out of the ISR (by this leader, or by the controller when its broker left the
        // view) must fetch again before it may come back: its last position says nothing of whether it
        // is alive, and a frozen follower re-added from it would hold every acks=all write.
        for (Map.Entry<Integer, Follower> e : followers.entrySet()) {
            if (isr.contains(e.getKey()) && !newIsr.contains(e.getKey())) {
                e.getValue().fetchOffset = -1;
                e.getValue().durableOffset = -1;
            }
        }
        this.replicas = List.copyOf(newReplicas);
        this.isr = new LinkedHashSet<>(newIsr);
        this.pendingIsr = null;
        for (int r : newReplicas) {
            if (r != localId) {
                followers.computeIfAbsent(r, id -> new Follower(now));
            }
        }
        followers.keySet().retainAll(newReplicas);
    }

    /**
     * A follower fetched from {@code fetchOffset} (its log end) with its log fsynced up to
     * {@code durableOffset}, while this leader's log ended at {@code leaderEnd}.
     *
     * @return false when the replica is not one of this partition's
     */
    synchronized boolean onFetch(int replicaId, long fetchOffset, long durableOffset, long leaderEnd, long now) {
        Follower f = followers.get(replicaId);
        if (f == null) {
            return false;
        }
        if (fetchOffset >= leaderEnd) {
            f.lastCaughtUpMs = now;
        } else if (fetchOffset >= f.leaderEndAtLastFetch && f.leaderEndAtLastFetch >= 0) {
            f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
        }
        f.fetchOffset = fetchOffset;
        f.durableOffset = Math.min(Math.max(f.durableOffset, durableOffset), fetchOffset);
        f.lastFetchMs = now;
        f.leaderEndAtLastFetch = leaderEnd;
        return true;
    }

    /** A follower's fsync moved its position on (reported between fetches). */
    synchronized void onPosition(int replicaId, long durableOffset) {
        Follower f = followers.get(replicaId);
        if (f != null && f.fetchOffset >= 0) {
            f.durableOffset = Math.min(Math.max(f.durableOffset, durableOffset), f.fetchOffset);
        }
    }

    /**
     * The high watermark the ISR allows: the smallest durable position among its members (this
     * leader's own is {@code localDurableEnd}), never below {@code current}, and not moving at all
     * while the ISR is smaller than min.insync.replicas.
     */
    synchronized long highWatermark(long localDurableEnd, long current) {
        if (isr.size() < minInsyncReplicas || !isr.contains(localId)) {
            return current;
        }
        long hw = localDurableEnd;
        for (int r : isr) {
            if (r != localId) {
                Follower f = followers.get(r);
                hw = Math.min(hw, f == null ? -1 : f.durableOffset);
            }
        }
        return Math.max(hw, current);
    }

    /**
     * The ISR this leader should propose now, or null when it is right as it is: followers that
     * have not caught up for longer than the lag time leave; followers out of it whose fsynced log
     * reaches the high watermark (and this epoch) join.
     */
    synchronized List<Integer> isrChange(long highWatermark, long now) {
        if (now < noProposalBeforeMs) {
            return null;
        }
        Set<Integer> next = new LinkedHashSet<>(isr);
        for (Map.Entry<Integer, Follower> e : followers.entrySet()) {
            int r = e.getKey();
            Follower f = e.getValue();
            if (next.contains(r) && now - f.lastCaughtUpMs > lagTimeMaxMs) {
                next.remove(r);
            } else if (!next.contains(r) && f.durableOffset >= highWatermark && f.fetchOffset >= epochStartOffset) {
                next.add(r);
            }
        }
        if (next.equals(isr)) {
            return null;
        }
        List<Integer> ordered = new ArrayList<>();
        for (int r : replicas) {
            if (next.contains(r)) {
                ordered.add(r);
            }
        }
        if (ordered.equals(pendingIsr)) {
            return null;
        }
        pendingIsr = ordered;
        return ordered;
    }

    /** A proposal decided on an ISR that has moved since: decide again at the next check. */
    synchronized void proposalFailed() {
        pendingIsr = null;
    }

    /**
     * A proposal the metadata did not take (this side of a split, or caches still settling after a
     * merge): propose again no sooner than {@code retryAtMs}. Without the pause every fetch decided
     * and wrote again, thousands of refused writes a second, each logged by Infinispan with its
     * stack, which starved the broker until the merge itself stalled.
     */
    synchronized void proposalRefused(long retryAtMs) {
        pendingIsr = null;
        noProposalBeforeMs = retryAtMs;
    }

    /** How far each follower trails the leader's log end, for metrics. */
    synchronized Map<Integer, Long> followerLag(long leaderEnd) {
        Map<Integer, Long> lag = new HashMap<>();
        followers.forEach((r, f) -> lag.put(r, f.fetchOffset < 0 ? leaderEnd : Math.max(0, leaderEnd - f.fetchOffset)));
        return lag;
    }
}
