package io.sluice.tier;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A bounded, least-recently-used cache of fixed-size chunks of remote objects. It caches the
 * future, not the bytes, so concurrent readers of a chunk that is still being fetched share the
 * one GET; a failed fetch is dropped so the next reader tries again.
 */
final class ChunkCache {
    private final long capacityBytes;
    private final LinkedHashMap<String, CompletableFuture<ByteBuffer>> chunks = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    private long usedBytes;
    private long hits;
    private long misses;

    ChunkCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    CompletableFuture<ByteBuffer> get(String key, int size, Supplier<CompletableFuture<ByteBuffer>> loader) {
        CompletableFuture<ByteBuffer> chunk;
        synchronized (this) {
            chunk = chunks.get(key);
            if (chunk != null) {
                hits++;
                return chunk;
            }
            misses++;
            chunk = loader.get();
            chunks.put(key, chunk);
            sizes.put(key, size);
            usedBytes += size;
            evict();
        }
        CompletableFuture<ByteBuffer> loaded = chunk;
        chunk.whenComplete((bytes, error) -> {
            if (error != null) {
                remove(key, loaded);
            }
        });
        return chunk;
    }

    synchronized boolean contains(String key) {
        return chunks.containsKey(key);
    }

    private synchronized void remove(String key, CompletableFuture<ByteBuffer> chunk) {
        if (chunks.get(key) == chunk) {
            chunks.remove(key);
            usedBytes -= sizes.remove(key);
        }
    }

    private void evict() {
        Iterator<Map.Entry<String, CompletableFuture<ByteBuffer>>> it = chunks.entrySet().iterator();
        while (usedBytes > capacityBytes && it.hasNext()) {
            Map.Entry<String, CompletableFuture<ByteBuffer>> eldest = it.next();
            if (chunks.size() == 1) {
                return; // always keep the chunk just added
            }
            it.remove();
            usedBytes -= sizes.remove(eldest.getKey());
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
