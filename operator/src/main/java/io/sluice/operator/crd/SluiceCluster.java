package io.sluice.operator.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Sluice cluster: a StatefulSet of brokers with its Services, ConfigMap, disruption budget,
 * network policy and (when Prometheus Operator is installed) ServiceMonitor, all owned by this
 * resource so that deleting it deletes them (the brokers' volumes are kept by policy).
 */
@Group(SluiceCluster.GROUP)
@Version(SluiceCluster.VERSION)
@ShortNames("sc")
public class SluiceCluster extends CustomResource<SluiceClusterSpec, SluiceClusterStatus> implements Namespaced {
    public static final String GROUP = "sluice.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected SluiceClusterSpec initSpec() {
        return new SluiceClusterSpec();
    }

    @Override
    protected SluiceClusterStatus initStatus() {
        return new SluiceClusterStatus();
    }
}
