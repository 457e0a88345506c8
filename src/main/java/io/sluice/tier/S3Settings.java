package io.sluice.tier;

import java.net.URI;
import java.util.Optional;

/**
 * Where the tier lives: an S3-compatible endpoint (unset: AWS itself), bucket, key prefix,
 * region, and static credentials (unset: the AWS default credential chain).
 */
public record S3Settings(Optional<URI> endpoint, String bucket, String prefix, String region,
        Optional<String> accessKey, Optional<String> secretKey) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("the tier needs a bucket name");
        }
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
    }

    public S3Settings withEndpoint(URI uri, String access, String secret) {
        return new S3Settings(Optional.of(uri), bucket, prefix, region, Optional.of(access), Optional.of(secret));
    }
}
