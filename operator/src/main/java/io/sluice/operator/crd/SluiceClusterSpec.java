package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the user asks of a {@link SluiceCluster}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SluiceClusterSpec {
    /** The image repository used when {@code image} is absent; the tag is {@code version}. */
    public static final String DEFAULT_IMAGE_REPOSITORY = "sluice/sluice";

    @JsonPropertyDescription("Number of brokers. Scaling out adds brokers and reassigns partitions to them.")
    @Min(1)
    @Default("3")
    private int replicas = 3;

    @JsonPropertyDescription("Sluice version: the image tag. Changing it rolls the brokers one at a time.")
    @Required
    private String version;

    @JsonPropertyDescription("Full image reference; overrides sluice/sluice:<version>.")
    private String image;

    @JsonPropertyDescription("Each broker's local volume.")
    private StorageSpec storage = new StorageSpec();

    @JsonPropertyDescription("The bucket that holds tiered segments.")
    @Required
    private ObjectStoreSpec objectStore;

    @JsonPropertyDescription("Spread brokers over failure domains and give each its rack.")
    private RacksSpec racks;

    @JsonPropertyDescription("CPU and memory of each broker container.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Extra sluice.* properties, written into the brokers' ConfigMap.")
    private Map<String, String> config = new LinkedHashMap<>();

    /** The image the brokers run: {@code image} when set, else {@code sluice/sluice:<version>}. */
    public String effectiveImage() {
        return image != null && !image.isBlank() ? image : DEFAULT_IMAGE_REPOSITORY + ":" + version;
    }

    public int getReplicas() { return replicas; }
    public void setReplicas(int replicas) { this.replicas = replicas; }
    public String getVersion() { return version; }
    public void setVersion(String version) { this.version = version; }
    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public StorageSpec getStorage() { return storage; }
    public void setStorage(StorageSpec storage) { this.storage = storage; }
    public ObjectStoreSpec getObjectStore() { return objectStore; }
    public void setObjectStore(ObjectStoreSpec objectStore) { this.objectStore = objectStore; }
    public RacksSpec getRacks() { return racks; }
    public void setRacks(RacksSpec racks) { this.racks = racks; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
    public Map<String, String> getConfig() { return config; }
    public void setConfig(Map<String, String> config) { this.config = config; }
}
