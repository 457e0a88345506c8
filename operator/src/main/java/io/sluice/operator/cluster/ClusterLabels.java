package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.sluice.operator.crd.SluiceCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names, labels and owner references shared by everything the operator creates for one
 * {@link SluiceCluster}: the owner reference makes Kubernetes' garbage collector delete them with
 * the cluster; the labels select the brokers and let users find them.
 */
public final class ClusterLabels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String APP_NAME = "sluice";
    public static final String OPERATOR_NAME = "sluice-operator";

    private ClusterLabels() {
    }

    /** Every label the operator puts on a cluster's resources and broker pods. */
    public static Map<String, String> labels(SluiceCluster cluster) {
        Map<String, String> labels = new LinkedHashMap<>(selector(cluster));
        labels.put(MANAGED_BY, OPERATOR_NAME);
        return labels;
    }

    /** The labels that select a cluster's broker pods (fixed for the StatefulSet's life). */
    public static Map<String, String> selector(SluiceCluster cluster) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(NAME, APP_NAME);
        selector.put(INSTANCE, cluster.getMetadata().getName());
        return selector;
    }

    public static String headlessServiceName(SluiceCluster cluster) {
        return cluster.getMetadata().getName() + "-headless";
    }

    public static String configMapName(SluiceCluster cluster) {
        return cluster.getMetadata().getName() + "-config";
    }

    /** The owner reference to the cluster, controller=true so one operator owns each resource. */
    public static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Metadata of a resource named {@code name} owned by the cluster, in its namespace. */
    public static ObjectMeta metadata(SluiceCluster cluster, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(labels(cluster))
                .withOwnerReferences(ownerReference(cluster))
                .build();
    }
}
