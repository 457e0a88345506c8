package io.sluice.operator.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.operator.crd.SluiceCluster;
import java.util.function.Function;

/**
 * Writes a cluster's desired resources to the API server: created when absent, else edited to
 * the desired fields. The edit (a JSON Patch of the difference, which fabric8 computes) replaces
 * each field of the spec the operator sets (and a ConfigMap's data whole) and keeps the others (a Service's allocated clusterIP,
 * defaults the API server filled in), keeps labels and annotations others added, and never
 * touches the status Kubernetes writes. Server-side apply would be the natural tool, but fabric8's
 * mock API server, which the tests run against, takes no apply patches and merges lists in JSON
 * merge patches, where the API server replaces them.
 */
public final class ClusterResources {

    static final ResourceDefinitionContext SERVICE_MONITORS = new ResourceDefinitionContext.Builder()
            .withGroup("monitoring.coreos.com")
            .withVersion("v1")
            .withKind(BrokerServiceMonitor.KIND)
            .withPlural("servicemonitors")
            .withNamespaced(true)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** StatefulSet spec fields Kubernetes does not let change after creation. */
    private static final String[] STATEFUL_SET_IMMUTABLE = {"volumeClaimTemplates", "selector", "serviceName", "podManagementPolicy"};

    private final KubernetesClient client;

    public ClusterResources(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Applies every resource of the cluster, the StatefulSet with {@code brokers} replicas; the
     * ServiceMonitor only where its CRD is installed.
     */
    public void apply(SluiceCluster cluster, int brokers) {
        apply(BrokerConfigMap.desired(cluster));
        apply(ClusterServices.headless(cluster));
        apply(ClusterServices.client(cluster));
        apply(BrokerStatefulSet.desired(cluster, brokers));
        apply(ClusterPolicies.disruptionBudget(cluster));
        apply(ClusterPolicies.networkPolicy(cluster));
        if (serviceMonitorsInstalled()) {
            GenericKubernetesResource monitor = BrokerServiceMonitor.desired(cluster);
            apply(item -> client.genericKubernetesResources(SERVICE_MONITORS)
                    .inNamespace(cluster.getMetadata().getNamespace()).resource(item), monitor);
        }
    }

    private <T extends HasMetadata> void apply(T desired) {
        apply(client::resource, desired);
    }

    /** Whether Prometheus Operator's ServiceMonitor CRD is installed (checked at every pass: it may come later). */
    public boolean serviceMonitorsInstalled() {
        return client.apiextensions().v1().customResourceDefinitions().withName(BrokerServiceMonitor.CRD_NAME).get() != null;
    }

    private static <T extends HasMetadata> void apply(Function<T, Resource<T>> resourceOf, T desired) {
        T current = resourceOf.apply(desired).get();
        if (current == null) {
            resourceOf.apply(desired).create();
            return;
        }
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) current.getClass();
        T edited = JSON.convertValue(overlay(
                JSON.valueToTree(current), JSON.valueToTree(desired)), type);
        if (!edited.equals(current)) {
            // The patch is the difference from what the server holds, not from the desired object.
            resourceOf.apply(current).edit(unchanged -> edited);
        }
    }

    /** {@code current} with {@code desired}'s fields on top: see the class comment for which win. */
    static ObjectNode overlay(ObjectNode current, ObjectNode desired) {
        ObjectNode result = current.deepCopy();
        desired.fields().forEachRemaining(field -> {
            String name = field.getKey();
            if (name.equals("status")) {
                return;
            }
            if (name.equals("metadata")) {
                result.set(name, overlayMetadata((ObjectNode) current.path(name), (ObjectNode) field.getValue()));
            } else if (name.equals("spec") && field.getValue().isObject() && current.path(name).isObject()) {
                ObjectNode merged = ((ObjectNode) current.get(name)).deepCopy();
                merged.setAll((ObjectNode) field.getValue());
                if ("StatefulSet".equals(current.path("kind").asText())) {
                    // The API server refuses any change to these: keep them as created, or every later edit fails.
                    for (String immutable : STATEFUL_SET_IMMUTABLE) {
                        if (current.path(name).has(immutable)) {
                            merged.set(immutable, current.path(name).get(immutable));
                        }
                    }
                }
                result.set(name, merged);
            } else {
                result.set(name, field.getValue());
            }
        });
        return result;
    }

    private static ObjectNode overlayMetadata(ObjectNode current, ObjectNode desired) {
        ObjectNode result = current.deepCopy();
        for (String map : new String[] {"labels", "annotations"}) {
            if (desired.path(map).isObject()) {
                ObjectNode merged = current.path(map).isObject() ? ((ObjectNode) current.get(map)).deepCopy() : result.objectNode();
                merged.setAll((ObjectNode) desired.get(map));
                result.set(map, merged);
            }
        }
        if (desired.has("ownerReferences")) {
            result.set("ownerReferences", desired.get("ownerReferences"));
        }
        return result;
    }
}
