package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.OffsetIndexView;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The remote read cache: shared fetches, a bound on memory (entries counted at their real size,
 * parsed indexes included), failed fetches forgotten.
 */
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

    /** The bytes of a {@code .index} file of {@code entries} entries, one every 4 KiB. */
    static byte[] indexFile(int entries) {
        ByteBuffer b = ByteBuffer.allocate(8 + entries * 8);
        b.putInt(0x534c4f49).putInt(1); // magic "SLOI", version 1
        for (int i = 0; i < entries; i++) {
            b.putInt(i * 10).putInt(i * 4096);
        }
        return b.array();
    }

    /**
     * A remote index of 32,768 entries (a 256 KiB file) used to count as 1 KiB whatever its size,
     * so a cache full of indexes held far more than its bound. It now counts what its parsed form
     * holds, and pushes older entries out to stay within the bound.
     */
    @Test
    void aParsedIndexCountsItsRealSize() {
        ChunkCache cache = new ChunkCache(600_000);
        for (int i = 0; i < 3; i++) {
            cache.get("k#" + i, 100_000, () -> CompletableFuture.completedFuture(ByteBuffer.allocate(100_000)));
        }
        byte[] file = indexFile(32_768);
        assertEquals(256 * 1024 + 8, file.length);
        OffsetIndexView view = cache.get("k.index", 4096,
                () -> CompletableFuture.completedFuture(OffsetIndexView.parse(file, 0, "k.index")),
                OffsetIndexView::sizeInBytes).join();
        assertTrue(view.sizeInBytes() >= 32_768 * 12, "an entry is a long and an int in memory");
        assertTrue(cache.usedBytes() <= 600_000, "within the bound: " + cache.usedBytes());
        assertTrue(cache.contains("k.index"));
        assertFalse(cache.contains("k#0"), "the index pushed the oldest chunk out");
        assertTrue(cache.contains("k#1"));
        assertEquals(200_000 + view.sizeInBytes(), cache.usedBytes());
    }

    @Test
    void anIndexStillLoadingCountsItsExpectedSizeThenItsRealOne() {
        ChunkCache cache = new ChunkCache(10_000_000);
        CompletableFuture<OffsetIndexView> pending = new CompletableFuture<>();
        CompletableFuture<OffsetIndexView> first = cache.get("k.index", 4096, () -> pending,
                OffsetIndexView::sizeInBytes);
        assertEquals(4096, cache.usedBytes());
        pending.complete(OffsetIndexView.parse(indexFile(1000), 0, "k.index"));
        assertEquals(first.join().sizeInBytes(), cache.usedBytes());
        assertSame(first, cache.get("k.index", 4096, () -> {
            throw new AssertionError("a cached index is not fetched or parsed again");
        }, OffsetIndexView::sizeInBytes));
    }
}
