package io.sluice.group;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One partition of {@code __consumer_offsets} this coordinator has taken over: its groups, once
 * loaded. A takeover makes a new one; giving the partition up drops it, so nothing a late reply
 * or append completion does to an old one reaches the groups of a later takeover.
 */
final class CoordinatedPartition {
    final int partition;
    final AppendQueue appends;
    final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    /** Completes once the replay has rebuilt the groups; requests fail COORDINATOR_NOT_AVAILABLE until then. */
    final CompletableFuture<Void> loaded = new CompletableFuture<>();
    /** False once given up. */
    volatile boolean active = true;

    CoordinatedPartition(int partition, AppendQueue appends) {
        this.partition = partition;
        this.appends = appends;
    }

    boolean isLoaded() {
        return loaded.isDone() && !loaded.isCompletedExceptionally();
    }
}
