package io.sluice.tier;

import io.sluice.error.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} over the AWS SDK v2 asynchronous S3 client: path-style addressing and an
 * endpoint override for MinIO and S3Proxy, static credentials or the default chain. Uploads
 * carry a Content-MD5 that the store checks, so bytes corrupted in flight are refused; files over
 * {@link #MULTIPART_THRESHOLD} go up in parts, each with its own MD5.
 */
public final class S3ObjectStore implements ObjectStore {
    static final long MULTIPART_THRESHOLD = 64L * 1024 * 1024;
    static final long PART_SIZE = 16L * 1024 * 1024;

    private final S3AsyncClient s3;
    private final String bucket;
    private final long multipartThreshold;
    private final long partSize;

    private S3ObjectStore(S3AsyncClient s3, String bucket, long multipartThreshold, long partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
    }

    public static S3ObjectStore connect(S3Settings settings, Duration callTimeout) {
        return connect(settings, callTimeout, MULTIPART_THRESHOLD, PART_SIZE);
    }

    /** As {@link #connect(S3Settings, Duration)}, with the multipart sizes chosen (S3's minimum part is 5 MiB). */
    static S3ObjectStore connect(S3Settings settings, Duration callTimeout, long multipartThreshold, long partSize) {
        AwsCredentialsProvider credentials = settings.accessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey().get(),
                        settings.secretKey().orElse("")))
                : DefaultCredentialsProvider.builder().build();
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64)
                        .connectionAcquisitionTimeout(callTimeout))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.apiCallTimeout(callTimeout).apiCallAttemptTimeout(callTimeout));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return new S3ObjectStore(builder.build(), settings.bucket(), multipartThreshold, partSize);
    }

    @Override
    public CompletableFuture<Void> ensureBucket() {
        return s3.headBucket(b -> b.bucket(bucket)).thenApply(r -> (Void) null).exceptionallyCompose(e -> {
            Throwable cause = SluiceException.causeOf(e);
            boolean missing = cause instanceof NoSuchBucketException
                    || (cause instanceof S3Exception s && s.statusCode() == 404);
            if (!missing) {
                return CompletableFuture.failedFuture(cause);
            }
            // Brokers of one cluster start together: another may create the bucket between our HEAD
            // and our create, and the store then answers 409 "already owned by you", which is success.
            return s3.createBucket(b -> b.bucket(bucket)).thenApply(r -> (Void) null).exceptionallyCompose(c ->
                    SluiceException.causeOf(c) instanceof BucketAlreadyOwnedByYouException
                            ? CompletableFuture.completedFuture(null)
                            : CompletableFuture.failedFuture(SluiceException.causeOf(c)));
        });
    }

    @Override
    public CompletableFuture<Void> putFile(String key, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (size > multipartThreshold) {
            return putMultipart(key, file, size);
        }
        String md5 = md5(file, 0, size);
        return s3.putObject(b -> b.bucket(bucket).key(key).contentLength(size).contentMD5(md5),
                AsyncRequestBody.fromFile(file)).thenApply(r -> null);
    }

    private CompletableFuture<Void> putMultipart(String key, Path file, long size) {
        return s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).thenCompose(created -> {
            String uploadId = created.uploadId();
            List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
            int partNumber = 1;
            for (long from = 0; from < size; from += partSize, partNumber++) {
                long length = Math.min(partSize, size - from);
                long start = from;
                int number = partNumber;
                String md5 = md5(file, start, length);
                AsyncRequestBody body = AsyncRequestBody.fromFile(c -> c.path(file).position(start)
                        .numBytesToRead(length));
                parts.add(s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength(length).contentMD5(md5), body)
                        .thenApply(r -> CompletedPart.builder().partNumber(number).eTag(r.eTag()).build()));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenCompose(v -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder()
                                    .parts(parts.stream().map(CompletableFuture::join).toList()).build())))
                    .thenApply(r -> (Void) null)
                    .exceptionallyCompose(e -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key)
                            .uploadId(uploadId)).handle((r, ignored) -> null)
                            .thenCompose(v -> CompletableFuture.<Void>failedFuture(SluiceException.causeOf(e))));
        });
    }

    @Override
    public CompletableFuture<Void> putBytes(String key, byte[] bytes) {
        String md5 = Base64.getEncoder().encodeToString(digest().digest(bytes));
        return s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) bytes.length).contentMD5(md5),
                AsyncRequestBody.fromBytes(bytes)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                .thenApply(r -> r.asByteArrayUnsafe());
    }

    @Override
    public CompletableFuture<ByteBuffer> getRange(String key, long from, int length) {
        String range = "bytes=" + from + "-" + (from + length - 1);
        return s3.getObject(b -> b.bucket(bucket).key(key).range(range), AsyncResponseTransformer.toBytes())
                .thenApply(r -> ByteBuffer.wrap(r.asByteArrayUnsafe())); // the response is ours alone: no copy
    }

    @Override
    public CompletableFuture<List<ObjectInfo>> list(String prefix) {
        List<ObjectInfo> all = new ArrayList<>();
        return listPage(prefix, null, all).thenApply(v -> all);
    }

    private CompletableFuture<Void> listPage(String prefix, String token, List<ObjectInfo> into) {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
        if (token != null) {
            request.continuationToken(token);
        }
        return s3.listObjectsV2(request.build()).thenCompose((ListObjectsV2Response page) -> {
            for (S3Object o : page.contents()) {
                into.add(new ObjectInfo(o.key(), o.size()));
            }
            return Boolean.TRUE.equals(page.isTruncated())
                    ? listPage(prefix, page.nextContinuationToken(), into)
                    : CompletableFuture.completedFuture(null);
        });
    }

    @Override
    public CompletableFuture<Void> delete(List<String> keys) {
        CompletableFuture<?>[] deletes = keys.stream()
                .map(k -> s3.deleteObject(b -> b.bucket(bucket).key(k)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(deletes);
    }

    @Override
    public void close() {
        s3.close();
    }

    private static String md5(Path file, long from, long length) {
        MessageDigest md = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(from);
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + " ended before " + (from + length) + " bytes");
                }
                md.update(buffer, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JRE", e);
        }
    }

}
