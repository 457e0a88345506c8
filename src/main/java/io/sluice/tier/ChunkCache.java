package io.sluice.tier;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * A bounded, least-recently-used cache of what remote reads fetch: fixed-size chunks of segment
 * objects and parsed offset indexes. It caches the future, not the value, so concurrent readers
 * of an entry that is still being fetched share the one GET; a failed fetch is dropped so the
 * next reader tries again. Every entry counts its real size against the bound: a chunk its length,
 * an index what its parsed form holds, weighed once it has loaded (until then it counts what the
 * caller expected).
 */
final class ChunkCache {
    private final long capacityBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long usedBytes;
    private long hits;
    private long misses;

    private static final class Entry {
        final CompletableFuture<?> value;
        long sizeBytes;

        Entry(CompletableFuture<?> value, long sizeBytes) {
            this.value = value;
            this.sizeBytes = sizeBytes;
        }
    }

    ChunkCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** A value of known size, such as a chunk of {@code size} bytes. */
    <V> CompletableFuture<V> get(String key, long size, Supplier<CompletableFuture<V>> loader) {
        return get(key, size, loader, null);
    }

    /**
     * A value whose size is known once it is loaded: it counts {@code expectedSize} until then and
     * {@code weigher}'s answer after.
     */
    @SuppressWarnings("unchecked")
    <V> CompletableFuture<V> get(String key, long expectedSize, Supplier<CompletableFuture<V>> loader,
            ToLongFunction<V> weigher) {
        CompletableFuture<V> value;
        synchronized (this) {
            Entry cached = entries.get(key);
            if (cached != null) {
                hits++;
                return (CompletableFuture<V>) cached.value;
            }
            misses++;
            value = loader.get();
            entries.put(key, new Entry(value, expectedSize));
            usedBytes += expectedSize;
            evict();
        }
        CompletableFuture<V> loaded = value;
        value.whenComplete((v, error) -> {
            if (error != null) {
                remove(key, loaded);
            } else if (weigher != null) {
                resize(key, loaded, weigher.applyAsLong(v));
            }
        });
        return value;
    }

    synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    private synchronized void remove(String key, CompletableFuture<?> value) {
        Entry e = entries.get(key);
        if (e != null && e.value == value) {
            entries.remove(key);
            usedBytes -= e.sizeBytes;
        }
    }

    private synchronized void resize(String key, CompletableFuture<?> value, long sizeBytes) {
        Entry e = entries.get(key);
        if (e != null && e.value == value) {
            usedBytes += sizeBytes - e.sizeBytes;
            e.sizeBytes = sizeBytes;
            evict();
        }
    }

    private void evict() {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (usedBytes > capacityBytes && it.hasNext() && entries.size() > 1) {
            // The most recently used entry (the one just added or weighed) is the last one: always kept.
            usedBytes -= it.next().getValue().sizeBytes;
            it.remove();
        }
    }

    synchronized long usedBytes() {
        return usedBytes;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }
}
