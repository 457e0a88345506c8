package io.sluice.tier;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The operations the tier needs from an object store, all asynchronous. {@link S3ObjectStore} is
 * the one implementation: every mode, embedded included, speaks S3 over HTTP.
 */
public interface ObjectStore extends AutoCloseable {
    /** An object's key and size, as listed. */
    record ObjectInfo(String key, long size) {
    }

    CompletableFuture<Void> ensureBucket();

    /** Uploads a file; the store verifies its checksum, so a corrupted transfer fails. */
    CompletableFuture<Void> putFile(String key, Path file);

    CompletableFuture<Void> putBytes(String key, byte[] bytes);

    CompletableFuture<byte[]> get(String key);

    /** Bytes {@code [from, from + length)} of an object. */
    CompletableFuture<ByteBuffer> getRange(String key, long from, int length);

    CompletableFuture<List<ObjectInfo>> list(String prefix);

    CompletableFuture<Void> delete(List<String> keys);

    @Override
    void close();
}
