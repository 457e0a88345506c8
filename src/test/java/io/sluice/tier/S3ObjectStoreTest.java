package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 client path against a real S3 protocol server (S3Proxy), checked with the MinIO client. */
class S3ObjectStoreTest {
    private static final long SEED = 99L;

    @TempDir
    Path dir;

    private EmbeddedS3 server;
    private S3ObjectStore store;
    private MinioClient minio;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedS3.start(dir.resolve("s3"), 0);
        S3Settings settings = new S3Settings(Optional.empty(), "bucket-a", "p", "us-east-1", Optional.empty(),
                Optional.empty()).withEndpoint(server.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
        store = S3ObjectStore.connect(settings, Duration.ofSeconds(30), 6 * 1024 * 1024, 5 * 1024 * 1024);
        store.ensureBucket().join();
        store.ensureBucket().join(); // idempotent
        minio = MinioClient.builder().endpoint(server.endpoint().toString())
                .credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY).build();
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        server.close();
    }

    @Test
    void filesGoUpWholeOrInPartsAndComeBackByRange() throws Exception {
        Random random = new Random(SEED);
        byte[] small = new byte[100_000];
        byte[] large = new byte[13 * 1024 * 1024 + 17];
        random.nextBytes(small);
        random.nextBytes(large);
        Files.write(dir.resolve("small"), small);
        Files.write(dir.resolve("large"), large);
        store.putFile("p/t/0/small", dir.resolve("small")).join();
        store.putFile("p/t/0/large", dir.resolve("large")).join();
        store.putBytes("p/t/1/meta", "hello".getBytes()).join();

        assertArrayEquals(small, store.get("p/t/0/small").join());
        ByteBuffer range = store.getRange("p/t/0/large", 6 * 1024 * 1024 - 3, 10).join();
        byte[] expected = new byte[10];
        System.arraycopy(large, 6 * 1024 * 1024 - 3, expected, 0, 10);
        assertArrayEquals(expected, range.array());

        List<ObjectStore.ObjectInfo> listed = store.list("p/t/0/").join();
        assertEquals(List.of(new ObjectStore.ObjectInfo("p/t/0/large", large.length),
                new ObjectStore.ObjectInfo("p/t/0/small", small.length)), listed);

        List<String> seenByMinio = new ArrayList<>();
        for (Result<Item> r : minio.listObjects(ListObjectsArgs.builder().bucket("bucket-a").prefix("p/t/")
                .recursive(true).build())) {
            seenByMinio.add(r.get().objectName() + ":" + r.get().size());
        }
        assertEquals(List.of("p/t/0/large:" + large.length, "p/t/0/small:" + small.length, "p/t/1/meta:5"),
                seenByMinio);
        try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket("bucket-a").object("p/t/0/large")
                .build())) {
            assertArrayEquals(large, in.readAllBytes());
        }

        store.delete(List.of("p/t/0/small", "p/t/1/meta")).join();
        assertEquals(1, store.list("p/").join().size());
    }

    @Test
    void aMissingObjectFails() {
        assertThrows(CompletionException.class, () -> store.get("p/nothing").join());
    }

    /**
     * Brokers of one cluster start together against one store: each finds the bucket missing and
     * creates it, and all but the first are told (409) that they own it already. That is success.
     */
    @Test
    void brokersCreatingTheSameBucketAtOnceAllSucceed() {
        for (int round = 0; round < 5; round++) {
            String bucket = "shared-" + round;
            List<S3ObjectStore> stores = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    S3Settings settings = new S3Settings(Optional.empty(), bucket, "p", "us-east-1", Optional.empty(),
                            Optional.empty()).withEndpoint(server.endpoint(), EmbeddedS3.ACCESS_KEY,
                            EmbeddedS3.SECRET_KEY);
                    stores.add(S3ObjectStore.connect(settings, Duration.ofSeconds(30), 6 * 1024 * 1024,
                            5 * 1024 * 1024));
                }
                CompletableFuture.allOf(stores.stream().map(S3ObjectStore::ensureBucket)
                        .toArray(CompletableFuture[]::new)).join();
            } finally {
                stores.forEach(S3ObjectStore::close);
            }
        }
    }
}
