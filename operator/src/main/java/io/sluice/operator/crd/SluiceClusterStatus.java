package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the operator observed of a {@link SluiceCluster} at its last reconciliation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SluiceClusterStatus {
    private List<Condition> conditions = new ArrayList<>();
    private Integer readyReplicas;
    private Long observedGeneration;
    private List<Integer> brokers = new ArrayList<>();
    private Integer underReplicatedPartitions;
    private String currentVersion;
    /** The rolling restart in flight (phase, broker, since...), kept here so it survives an operator restart. */
    private Map<String, String> roll;

    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public Integer getReadyReplicas() { return readyReplicas; }
    public void setReadyReplicas(Integer readyReplicas) { this.readyReplicas = readyReplicas; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<Integer> getBrokers() { return brokers; }
    public void setBrokers(List<Integer> brokers) { this.brokers = brokers; }
    public Integer getUnderReplicatedPartitions() { return underReplicatedPartitions; }
    public void setUnderReplicatedPartitions(Integer underReplicatedPartitions) { this.underReplicatedPartitions = underReplicatedPartitions; }
    public String getCurrentVersion() { return currentVersion; }
    public void setCurrentVersion(String currentVersion) { this.currentVersion = currentVersion; }
    public Map<String, String> getRoll() { return roll; }
    public void setRoll(Map<String, String> roll) { this.roll = roll; }
}
