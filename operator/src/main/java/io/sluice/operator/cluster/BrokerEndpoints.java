package io.sluice.operator.cluster;

import io.sluice.operator.crd.SluiceCluster;
import java.net.URI;
import java.util.Objects;

/**
 * Where the operator reaches a cluster's brokers over HTTP. In Kubernetes that is the client
 * Service, {@code http://<name>.<namespace>.svc:8080}; tests and out-of-cluster runs override
 * the template (property {@code sluice.operator.broker-url}), whose {@code {name}} and
 * {@code {namespace}} placeholders are replaced by the SluiceCluster's.
 */
public final class BrokerEndpoints {
    public static final String IN_CLUSTER_TEMPLATE = "http://{name}.{namespace}.svc:8080";

    private final String template;

    public BrokerEndpoints(String template) {
        this.template = Objects.requireNonNull(template, "template");
    }

    /** Any broker of the cluster, through its client Service. */
    public URI clusterUri(String namespace, String clusterName) {
        String uri = template.replace("{name}", clusterName).replace("{namespace}", namespace);
        return URI.create(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
    }

    public URI clusterUri(SluiceCluster cluster) {
        return clusterUri(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
    }
}
