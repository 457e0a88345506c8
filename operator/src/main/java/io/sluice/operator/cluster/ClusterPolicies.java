package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.sluice.operator.crd.SluiceCluster;

/**
 * The PodDisruptionBudget and NetworkPolicy {@code <name>}. The budget lets a node drain take one
 * broker at a time (with replication factor 3, one broker down keeps every partition writable at
 * min ISR 2). The policy admits broker-to-broker traffic (JGroups, its failure detection,
 * replication) only from the cluster's own brokers, and the REST API from anywhere.
 */
public final class ClusterPolicies {

    private ClusterPolicies() {
    }

    public static PodDisruptionBudget disruptionBudget(SluiceCluster cluster) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(ClusterLabels.metadata(cluster, cluster.getMetadata().getName()))
                .withNewSpec()
                    .withMaxUnavailable(new IntOrString(1))
                    .withSelector(new LabelSelectorBuilder().withMatchLabels(ClusterLabels.selector(cluster)).build())
                .endSpec()
                .build();
    }

    public static NetworkPolicy networkPolicy(SluiceCluster cluster) {
        return new NetworkPolicyBuilder()
                .withMetadata(ClusterLabels.metadata(cluster, cluster.getMetadata().getName()))
                .withNewSpec()
                    .withNewPodSelector().withMatchLabels(ClusterLabels.selector(cluster)).endPodSelector()
                    .withPolicyTypes("Ingress")
                    .addNewIngress()
                        .addNewFrom()
                            .withNewPodSelector().withMatchLabels(ClusterLabels.selector(cluster)).endPodSelector()
                        .endFrom()
                        .withPorts(tcp(BrokerPorts.JGROUPS_PORT), tcp(BrokerPorts.JGROUPS_FD_PORT), tcp(BrokerPorts.REPLICATION_PORT))
                    .endIngress()
                    .addNewIngress()
                        .withPorts(tcp(BrokerPorts.HTTP_PORT))
                    .endIngress()
                .endSpec()
                .build();
    }

    private static NetworkPolicyPort tcp(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
    }
}
