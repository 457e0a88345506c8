package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The remote read cache: shared fetches, a bound on memory, failed fetches forgotten. */
class ChunkCacheTest {
    @Test
    void concurrentReadersOfOneChunkShareOneFetch() {
        ChunkCache cache = new ChunkCache(10_000);
        AtomicInteger fetches = new AtomicInteger();
        CompletableFuture<ByteBuffer> pending = new CompletableFuture<>();
        CompletableFuture<ByteBuffer> first = cache.get("k#0", 100, () -> {
            fetches.incrementAndGet();
            return pending;
        });
        CompletableFuture<ByteBuffer> second = cache.get("k#0", 100, () -> {
            fetches.incrementAndGet();
            return CompletableFuture.completedFuture(ByteBuffer.allocate(1));
        });
        assertSame(first, second);
        assertEquals(1, fetches.get());
        assertEquals(1, cache.hits());
    }

    @Test
    void memoryStaysWithinTheBoundLeastRecentlyUsedFirst() {
        ChunkCache cache = new ChunkCache(300);
        for (int i = 0; i < 3; i++) {
            cache.get("k#" + i, 100, () -> CompletableFuture.completedFuture(ByteBuffer.allocate(100)));
        }
        cache.get("k#0", 100, () -> CompletableFuture.completedFuture(ByteBuffer.allocate(100))); // touch 0
        cache.get("k#3", 100, () -> CompletableFuture.completedFuture(ByteBuffer.allocate(100)));
        assertEquals(300, cache.usedBytes());
        assertTrue(cache.contains("k#0"));
        assertFalse(cache.contains("k#1"), "the least recently used chunk went first");
    }

    @Test
    void aFailedFetchIsForgottenSoTheNextReaderRetries() {
        ChunkCache cache = new ChunkCache(1000);
        cache.get("k#0", 100, () -> CompletableFuture.failedFuture(new RuntimeException("store down")));
        assertFalse(cache.contains("k#0"));
        assertEquals(0, cache.usedBytes());
    }
}
