package io.sluice.tier;

import io.sluice.log.CorruptRecordException;
import io.sluice.log.LogRecord;
import io.sluice.log.OffsetIndexView;
import io.sluice.log.RecordBatch;
import io.sluice.log.RecordBatchDescriptor;
import io.sluice.log.RecordBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads records from remote segments: the segment's offset index (one GET, parsed once and cached)
 * narrows down the byte position of the offset, then ranged GETs of fixed-size chunks, through a
 * {@link ChunkCache}.
 * A read prefetches the next chunks, so a sequential reader finds them already fetched.
 */
public final class RemoteReader {
    static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /** Chunks read ahead at least; a large read reads ahead as many chunks as it spans, so the next one finds them. */
    static final int PREFETCH_CHUNKS = 4;
    /** What an index counts in the cache while it loads, before its parsed size is known. */
    private static final long EXPECTED_INDEX_BYTES = 4096;

    private final ObjectStore store;
    private final TierLayout layout;
    private final ChunkCache chunks;

    public RemoteReader(ObjectStore store, TierLayout layout, long cacheBytes) {
        this.store = store;
        this.layout = layout;
        this.chunks = new ChunkCache(cacheBytes);
    }

    /**
     * Records from {@code offset} on, within the one remote segment that holds it: the whole batch
     * holding {@code offset} even when it is larger than {@code maxBytes} (as Kafka returns the
     * first batch whatever its size), then whole batches up to {@code maxBytes}. A read of an
     * offset the segment holds therefore never comes back empty, whatever {@code maxBytes}.
     */
    public CompletableFuture<List<LogRecord>> read(RemoteLog remote, RemoteSegment segment, long offset, int maxBytes,
            int maxRecords) {
        String logKey = key(remote, segment, TierLayout.LOG);
        return index(remote, segment)
                .thenCompose(index -> batchHolding(logKey, segment, index, offset))
                .thenCompose(batch -> {
                    long want = Math.min(segment.sizeBytes(), (long) batch.position() + Math.max(maxBytes, batch.size()));
                    return range(logKey, segment.sizeBytes(), batch.position(), want).thenApply(bytes -> {
                        List<LogRecord> records = new ArrayList<>();
                        RecordBatches.decode(bytes, offset, maxRecords, logKey, batch.position(), records);
                        return records;
                    });
                });
    }

    /** Where a batch starts in its segment object, and its whole size. */
    private record BatchAt(int position, int size) {
    }

    /**
     * Finds the batch that holds {@code offset}. The index is sparse: the batch lies between the
     * index entry at or below the offset and the next entry, so the headers in that window (a few
     * KiB, already in a cached chunk) are walked in memory. Each header must continue the chain
     * from the indexed base offset, as the local log checks its own.
     */
    private CompletableFuture<BatchAt> batchHolding(String key, RemoteSegment segment, OffsetIndexView index,
            long offset) {
        int from = index.floorPosition(offset);
        int ceiling = index.ceilingPosition(offset);
        long to = ceiling < 0 ? segment.sizeBytes() : ceiling;
        long indexedBase = index.floorOffset(offset);
        if (from >= to) {
            return CompletableFuture.failedFuture(new CorruptRecordException("offset index of " + key + " points at "
                    + from + ", beyond the next entry or the object's end " + to));
        }
        return range(key, segment.sizeBytes(), from, to).thenApply(window -> {
            int at = 0;
            long expectedBase = indexedBase;
            while (window.limit() - at >= RecordBatchDescriptor.RECORD_BATCH_OVERHEAD) {
                RecordBatch header = new RecordBatch(window, at);
                int size = header.sizeInBytes();
                if (size < RecordBatchDescriptor.RECORD_BATCH_OVERHEAD || size > window.limit() - at
                        || header.baseOffset() < expectedBase || header.lastOffsetDelta() < 0) {
                    throw new CorruptRecordException("batch header at " + key + ":" + (from + at) + " does not continue"
                            + " the segment: baseOffset=" + header.baseOffset() + " (expected " + expectedBase
                            + ") size=" + size + " lastOffsetDelta=" + header.lastOffsetDelta());
                }
                if (header.lastOffset() >= offset) {
                    return new BatchAt(from + at, size);
                }
                at += size;
                expectedBase = header.nextOffset();
            }
            throw new CorruptRecordException("offset " + offset + " is not in " + key + " between positions " + from
                    + " and " + to);
        });
    }

    /** The segment's parsed offset index, cached at its size in memory: parsed once, not on every read. */
    CompletableFuture<OffsetIndexView> index(RemoteLog remote, RemoteSegment segment) {
        String key = key(remote, segment, TierLayout.INDEX);
        return chunks.get(key, EXPECTED_INDEX_BYTES, () -> store.get(key)
                        .thenApply(bytes -> OffsetIndexView.parse(bytes, segment.baseOffset(), key)),
                OffsetIndexView::sizeInBytes);
    }

    /** Bytes {@code [from, to)} of an object of {@code size} bytes, assembled from cached chunks. */
    private CompletableFuture<ByteBuffer> range(String key, long size, long from, long to) {
        int first = (int) (from / CHUNK_BYTES);
        int last = (int) ((to - 1) / CHUNK_BYTES);
        int lastChunk = (int) ((size - 1) / CHUNK_BYTES);
        List<CompletableFuture<ByteBuffer>> parts = new ArrayList<>();
        for (int c = first; c <= last; c++) {
            parts.add(chunk(key, size, c));
        }
        int readAhead = Math.max(PREFETCH_CHUNKS, last - first + 1);
        for (int c = last + 1; c <= Math.min(lastChunk, last + readAhead); c++) {
            chunk(key, size, c);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ByteBuffer out = ByteBuffer.allocate((int) (to - from));
            for (int i = 0; i < parts.size(); i++) {
                ByteBuffer chunk = parts.get(i).join().duplicate();
                long chunkStart = (long) (first + i) * CHUNK_BYTES;
                int skip = (int) Math.max(0, from - chunkStart);
                int take = (int) Math.min(chunk.limit() - skip, to - (chunkStart + skip));
                chunk.position(skip).limit(skip + take);
                out.put(chunk);
            }
            return out.flip();
        });
    }

    private CompletableFuture<ByteBuffer> chunk(String key, long size, int index) {
        long start = (long) index * CHUNK_BYTES;
        int length = (int) Math.min(CHUNK_BYTES, size - start);
        return chunks.get(key + "#" + index, length, () -> store.getRange(key, start, length));
    }

    private String key(RemoteLog remote, RemoteSegment segment, String suffix) {
        return layout.segmentKey(remote.topicId(), remote.partition(), segment, suffix);
    }

    public long cacheHits() {
        return chunks.hits();
    }

    public long cacheMisses() {
        return chunks.misses();
    }

    public long cacheBytes() {
        return chunks.usedBytes();
    }
}
