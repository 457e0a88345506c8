package io.sluice.cluster;

import java.io.IOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
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
        }
        queueWrite();
    }

    /** Replaces a section by the cache's current content (after a state transfer or a merge). */
    void resync(MetadataSection section, Supplier<Map<String, String>> current) {
        synchronized (lock) {
            Map<String, String> now = current.get();
            ConcurrentHashMap<String, String> mine = sections.get(section);
            mine.keySet().retainAll(now.keySet());
            mine.putAll(now);
        }
        queueWrite();
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
