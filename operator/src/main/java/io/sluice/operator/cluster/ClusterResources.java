package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.sluice.operator.crd.SluiceCluster;

/**
 * Writes a cluster's desired resources to the API server with server-side apply: the operator owns
 * the fields it sets and leaves the others (a user's annotations, the status Kubernetes writes)
 * alone, and applying twice changes nothing.
 */
public final class ClusterResources {
    /** The field manager named in managedFields of everything the operator applies. */
    public static final String FIELD_MANAGER = "sluice-operator";

    static final ResourceDefinitionContext SERVICE_MONITORS = new ResourceDefinitionContext.Builder()
            .withGroup("monitoring.coreos.com")
            .withVersion("v1")
            .withKind(BrokerServiceMonitor.KIND)
            .withPlural("servicemonitors")
            .withNamespaced(true)
            .build();

    private final KubernetesClient client;

    public ClusterResources(KubernetesClient client) {
        this.client = client;
    }

    /** Applies every resource of the cluster; the ServiceMonitor only where its CRD is installed. */
    public void apply(SluiceCluster cluster) {
        apply(BrokerConfigMap.desired(cluster));
        apply(ClusterServices.headless(cluster));
        apply(ClusterServices.client(cluster));
        apply(BrokerStatefulSet.desired(cluster));
        apply(ClusterPolicies.disruptionBudget(cluster));
        apply(ClusterPolicies.networkPolicy(cluster));
        if (serviceMonitorsInstalled()) {
            client.genericKubernetesResources(SERVICE_MONITORS)
                    .inNamespace(cluster.getMetadata().getNamespace())
                    .resource(BrokerServiceMonitor.desired(cluster))
                    .fieldManager(FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        }
    }

    /** Whether Prometheus Operator's ServiceMonitor CRD is installed (checked at every pass: it may come later). */
    public boolean serviceMonitorsInstalled() {
        return client.apiextensions().v1().customResourceDefinitions().withName(BrokerServiceMonitor.CRD_NAME).get() != null;
    }

    private void apply(HasMetadata desired) {
        client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
