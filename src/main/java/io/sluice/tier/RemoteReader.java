package io.sluice.tier;

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
 * Reads records from remote segments: the segment's offset index (one small GET, cached) gives the
 * byte position of the offset, then ranged GETs of fixed-size chunks, through a {@link ChunkCache}.
 * A read prefetches the next chunks, so a sequential reader finds them already fetched.
 */
public final class RemoteReader {
    static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /** Chunks read ahead at least; a large read reads ahead as many chunks as it spans, so the next one finds them. */
    static final int PREFETCH_CHUNKS = 4;

    private final ObjectStore store;
    private final TierLayout layout;
    private final ChunkCache chunks;

    public RemoteReader(ObjectStore store, TierLayout layout, long cacheBytes) {
        this.store = store;
        this.layout = layout;
        this.chunks = new ChunkCache(cacheBytes);
    }

    /** Records from {@code offset} on, within the one remote segment that holds it. */
    public CompletableFuture<List<LogRecord>> read(RemoteLog remote, RemoteSegment segment, long offset, int maxBytes,
            int maxRecords) {
        String logKey = key(remote, segment, TierLayout.LOG);
        return index(remote, segment).thenCompose(index -> {
            int position = index.floorPosition(offset);
            long want = Math.min(segment.sizeBytes(), (long) position + Math.max(maxBytes,
                    RecordBatchDescriptor.RECORD_BATCH_OVERHEAD));
            return range(logKey, segment.sizeBytes(), position, want).thenCompose(bytes -> {
                int firstBatch = RecordBatch.sizeAt(bytes, 0);
                if (firstBatch > bytes.limit() && position + firstBatch <= segment.sizeBytes()) {
                    return range(logKey, segment.sizeBytes(), position, (long) position + firstBatch);
                }
                return CompletableFuture.completedFuture(bytes);
            }).thenApply(bytes -> {
                List<LogRecord> records = new ArrayList<>();
                RecordBatches.decode(bytes, offset, maxRecords, logKey, position, records);
                return records;
            });
        });
    }

    private CompletableFuture<OffsetIndexView> index(RemoteLog remote, RemoteSegment segment) {
        String key = key(remote, segment, TierLayout.INDEX);
        return chunks.get(key, 1024, () -> store.get(key).thenApply(ByteBuffer::wrap))
                .thenApply(bytes -> OffsetIndexView.parse(bytes.array(), segment.baseOffset(), key));
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
