package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the user asks of a {@link SluiceTopic}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SluiceTopicSpec {
    @JsonPropertyDescription("Name of the SluiceCluster, in the same namespace, that holds the topic.")
    @Required
    private String cluster;

    @JsonPropertyDescription("Name of the topic on the cluster; absent: metadata.name.")
    private String topicName;

    @JsonPropertyDescription("Number of partitions. It can grow, never shrink.")
    @Min(1)
    @Default("1")
    private int partitions = 1;

    @JsonPropertyDescription("Replicas per partition, at most the number of brokers. Fixed at creation.")
    @Min(1)
    @Default("3")
    private int replicationFactor = 3;

    @JsonPropertyDescription("Topic configuration overrides, e.g. retention.ms.")
    private Map<String, String> config = new LinkedHashMap<>();

    public String getCluster() { return cluster; }
    public void setCluster(String cluster) { this.cluster = cluster; }
    public String getTopicName() { return topicName; }
    public void setTopicName(String topicName) { this.topicName = topicName; }
    public int getPartitions() { return partitions; }
    public void setPartitions(int partitions) { this.partitions = partitions; }
    public int getReplicationFactor() { return replicationFactor; }
    public void setReplicationFactor(int replicationFactor) { this.replicationFactor = replicationFactor; }
    public Map<String, String> getConfig() { return config; }
    public void setConfig(Map<String, String> config) { this.config = config; }
}
