package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;

/**
 * The two Services of a cluster: the headless {@code <name>-headless}, which gives each broker a
 * DNS name and is what the brokers' DNS discovery queries (so it lists pods before they are
 * ready: a broker must find the others to become ready), and the client Service {@code <name>}
 * on port 8080, which only sends requests to ready brokers.
 */
public final class ClusterServices {
    /** Label telling the two Services apart (the ServiceMonitor selects the client one). */
    public static final String SERVICE_ROLE_LABEL = "sluice.io/service";

    private ClusterServices() {
    }

    public static Service headless(SluiceCluster cluster) {
        ObjectMeta metadata = ClusterLabels.metadata(cluster, ClusterLabels.headlessServiceName(cluster));
        metadata.getLabels().put(SERVICE_ROLE_LABEL, "headless");
        return new ServiceBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                    .withClusterIP("None")
                    .withPublishNotReadyAddresses(true)
                    .withSelector(ClusterLabels.selector(cluster))
                    .withPorts(
                            port(BrokerPorts.HTTP, BrokerPorts.HTTP_PORT),
                            port(BrokerPorts.JGROUPS, BrokerPorts.JGROUPS_PORT),
                            port(BrokerPorts.JGROUPS_FD, BrokerPorts.JGROUPS_FD_PORT),
                            port(BrokerPorts.REPLICATION, BrokerPorts.REPLICATION_PORT))
                .endSpec()
                .build();
    }

    public static Service client(SluiceCluster cluster) {
        ObjectMeta metadata = ClusterLabels.metadata(cluster, cluster.getMetadata().getName());
        metadata.getLabels().put(SERVICE_ROLE_LABEL, "client");
        return new ServiceBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(ClusterLabels.selector(cluster))
                    .withPorts(List.of(port(BrokerPorts.HTTP, BrokerPorts.HTTP_PORT)))
                .endSpec()
                .build();
    }

    private static ServicePort port(String name, int port) {
        return new ServicePortBuilder()
                .withName(name)
                .withPort(port)
                .withTargetPort(new IntOrString(name))
                .withProtocol("TCP")
                .build();
    }
}
