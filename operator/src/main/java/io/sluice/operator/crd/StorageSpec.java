package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The PersistentVolumeClaim each broker gets for its local log. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @JsonPropertyDescription("Requested size of each broker's volume.")
    @Default("50Gi")
    private String size = "50Gi";

    @JsonPropertyDescription("StorageClass of the volumes; absent: the cluster's default class.")
    private String className;

    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public String getClassName() { return className; }
    public void setClassName(String className) { this.className = className; }
}
