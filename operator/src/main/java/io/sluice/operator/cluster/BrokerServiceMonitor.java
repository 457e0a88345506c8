package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator ServiceMonitor {@code <name>}: scrape every ready broker's
 * {@code /q/metrics} through the client Service. Built as a generic resource so the operator needs
 * no Prometheus Operator classes, and created only where its CRD is installed.
 */
public final class BrokerServiceMonitor {
    public static final String API_VERSION = "monitoring.coreos.com/v1";
    public static final String KIND = "ServiceMonitor";
    public static final String CRD_NAME = "servicemonitors.monitoring.coreos.com";

    private BrokerServiceMonitor() {
    }

    public static GenericKubernetesResource desired(SluiceCluster cluster) {
        Map<String, Object> selectorLabels = new java.util.LinkedHashMap<>(ClusterLabels.selector(cluster));
        selectorLabels.put(ClusterServices.SERVICE_ROLE_LABEL, "client");
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION)
                .withKind(KIND)
                .withMetadata(ClusterLabels.metadata(cluster, cluster.getMetadata().getName()))
                .addToAdditionalProperties("spec", Map.of(
                        "selector", Map.of("matchLabels", selectorLabels),
                        "endpoints", List.of(Map.of(
                                "port", BrokerPorts.HTTP,
                                "path", "/q/metrics",
                                "interval", "30s"))))
                .build();
    }
}
