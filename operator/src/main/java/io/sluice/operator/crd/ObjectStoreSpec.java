package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The S3-compatible bucket the brokers tier their segments to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObjectStoreSpec {
    @JsonPropertyDescription("Bucket name.")
    @Required
    private String bucket;

    @JsonPropertyDescription("Endpoint URL (MinIO or another S3-compatible store); absent: AWS S3.")
    private String endpoint;

    @JsonPropertyDescription("Region of the bucket.")
    private String region;

    @JsonPropertyDescription("Key prefix under which this cluster writes.")
    private String prefix;

    @JsonPropertyDescription("Secret with keys access-key and secret-key; absent: the default AWS credentials chain (IRSA).")
    private String credentialsSecret;

    public String getBucket() { return bucket; }
    public void setBucket(String bucket) { this.bucket = bucket; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getRegion() { return region; }
    public void setRegion(String region) { this.region = region; }
    public String getPrefix() { return prefix; }
    public void setPrefix(String prefix) { this.prefix = prefix; }
    public String getCredentialsSecret() { return credentialsSecret; }
    public void setCredentialsSecret(String credentialsSecret) { this.credentialsSecret = credentialsSecret; }
}
