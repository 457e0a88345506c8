package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.operator.crd.ObjectStoreSpec;
import io.sluice.operator.crd.SluiceCluster;

/** SluiceClusters as a user would write them, for tests. */
public final class TestClusters {

    private TestClusters() {
    }

    public static SluiceCluster cluster(String namespace, String name, int replicas, String version) {
        SluiceCluster cluster = new SluiceCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        cluster.getSpec().setReplicas(replicas);
        cluster.getSpec().setVersion(version);
        ObjectStoreSpec store = new ObjectStoreSpec();
        store.setBucket("sluice-data");
        store.setRegion("eu-west-1");
        store.setPrefix(name + "/");
        cluster.getSpec().setObjectStore(store);
        cluster.setStatus(null);
        return cluster;
    }

    /** As the API server would hand it to the reconciler: with a uid and generation. */
    public static SluiceCluster stored(String namespace, String name, int replicas, String version) {
        SluiceCluster cluster = cluster(namespace, name, replicas, version);
        cluster.getMetadata().setUid("uid-" + name);
        cluster.getMetadata().setGeneration(1L);
        return cluster;
    }
}
