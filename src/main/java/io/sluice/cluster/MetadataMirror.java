package io.sluice.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * This broker's last known copy of the metadata, fed by the caches' entry events, and its snapshot
 * on disk. Reads are served from here, so the minority side of a split still sees the metadata as it
 * was (its caches refuse every read), and the snapshot is what a whole-cluster restart reloads. The
 * snapshot is rewritten on a thread of its own, coalescing bursts of changes into one write.
 */
final class MetadataMirror implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MetadataMirror.class.getName());

    private final Map<MetadataSection, ConcurrentHashMap<String, String>> sections =
            new EnumMap<>(MetadataSection.class);
    private final MetadataSnapshot snapshot;
    private final ExecutorService writer;
    private final AtomicBoolean writeQueued = new AtomicBoolean();
    /**
     * Off until the snapshot read at start has been offered to the cluster: until then the file holds
     * this broker's only copy of what it knew, which may be newer than what the cluster has sent so far.
     */
    private volatile boolean persisting;
    /** Orders a full resync against single updates, so a resync never puts back a value an event replaced. */
    private final Object lock = new Object();
    /**
     * Per section being resynced, the keys entry events changed since the first read still running
     * began, and how many reads run (start and the event thread may overlap); under {@link #lock}.
     */
    private final Map<MetadataSection, Set<String>> changedDuringResync = new EnumMap<>(MetadataSection.class);
    private final Map<MetadataSection, Integer> resyncsReading = new EnumMap<>(MetadataSection.class);

    MetadataMirror(MetadataSnapshot snapshot, String threadName) {
        this.snapshot = snapshot;
        for (MetadataSection s : MetadataSection.values()) {
            sections.put(s, new ConcurrentHashMap<>());
        }
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    String get(MetadataSection section, String key) {
        return sections.get(section).get(key);
    }

    Map<String, String> entries(MetadataSection section) {
        return Map.copyOf(sections.get(section));
    }

    /** An entry event: {@code value} null means removed. */
    void apply(MetadataSection section, String key, String value) {
        synchronized (lock) {
            if (value == null) {
                sections.get(section).remove(key);
            } else {
                sections.get(section).put(key, value);
            }
            Set<String> changed = changedDuringResync.get(section);
            if (changed != null) {
                changed.add(key);
            }
        }
        queueWrite();
    }

    /**
     * Replaces a section by the cache's current content (after a state transfer or a merge) and returns
     * what that changed. Values that come by state transfer or a merge's conflict resolution raise no
     * entry event, so the caller announces these changes itself. The cache is read with no lock held:
     * entry events arrive on Infinispan's threads, synchronously, and one waiting here for a read that
     * waits on those threads (a rebalance in progress) stalled the cluster's rebalance after a merge
     * until a timeout. A key an event changed during the read keeps the event's value; later events
     * correct any other.
     */
    List<Change> resync(MetadataSection section, Supplier<Map<String, String>> current) {
        synchronized (lock) {
            changedDuringResync.computeIfAbsent(section, s -> new HashSet<>());
            resyncsReading.merge(section, 1, Integer::sum);
        }
        Map<String, String> now;
        try {
            now = current.get();
        } catch (RuntimeException e) {
            synchronized (lock) {
                doneReading(section);
            }
            throw e;
        }
        List<Change> changes = new ArrayList<>();
        synchronized (lock) {
            Set<String> changedByEvents = Set.copyOf(changedDuringResync.get(section));
            doneReading(section);
            ConcurrentHashMap<String, String> mine = sections.get(section);
            for (Iterator<Map.Entry<String, String>> it = mine.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, String> e = it.next();
                if (!now.containsKey(e.getKey()) && !changedByEvents.contains(e.getKey())) {
                    changes.add(new Change(e.getKey(), null, e.getValue()));
                    it.remove();
                }
            }
            now.forEach((k, v) -> {
                if (!changedByEvents.contains(k)) {
                    String old = mine.put(k, v);
                    if (!v.equals(old)) {
                        changes.add(new Change(k, v, old));
                    }
                }
            });
        }
        if (!changes.isEmpty()) {
            queueWrite();
        }
        return changes;
    }

    /** A key whose value a resync replaced: {@code value} null means removed, {@code oldValue} null means new. */
    record Change(String key, String value, String oldValue) {
    }

    private void doneReading(MetadataSection section) {
        if (resyncsReading.merge(section, -1, Integer::sum) == 0) {
            resyncsReading.remove(section);
            changedDuringResync.remove(section);
        }
    }

    /** The snapshot read at start has been offered: from now on the file follows the mirror. */
    void startPersisting() {
        persisting = true;
        queueWrite();
    }

    private void queueWrite() {
        if (persisting && writeQueued.compareAndSet(false, true)) {
            try {
                writer.execute(this::writeNow);
            } catch (RejectedExecutionException closing) {
                writeQueued.set(false);
            }
        }
    }

    private void writeNow() {
        writeQueued.set(false);
        if (!persisting) {
            return;
        }
        Map<MetadataSection, Map<String, String>> copy = new EnumMap<>(MetadataSection.class);
        sections.forEach((s, m) -> copy.put(s, new HashMap<>(m)));
        try {
            snapshot.write(copy);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot write " + snapshot.file() + "; the next change retries", e);
        }
    }

    /** Writes what is pending and stops the writer. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "snapshot writer did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeNow();
    }
}
