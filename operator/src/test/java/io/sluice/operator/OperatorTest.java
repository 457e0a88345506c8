package io.sluice.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sluice.operator.cluster.Conditions;
import io.sluice.operator.cluster.TestClusters;
import io.sluice.operator.crd.SluiceCluster;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The operator as deployed: Quarkus starts it against the mock API server (CRUD mode), it watches
 * SluiceClusters in every namespace, and a new one gets its brokers' StatefulSet and a status.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorTest {

    @Inject
    KubernetesClient client;

    @Test
    void aNewClusterGetsItsStatefulSetAndAStatus() {
        client.resource(TestClusters.cluster("tenant-a", "events", 3, "0.2.0")).create();

        StatefulSet sts = await().atMost(Duration.ofSeconds(30)).until(
                () -> client.apps().statefulSets().inNamespace("tenant-a").withName("events").get(), s -> s != null);
        assertEquals(3, sts.getSpec().getReplicas());
        assertEquals("sluice/sluice:0.2.0", sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        SluiceCluster reconciled = await().atMost(Duration.ofSeconds(30)).until(
                () -> client.resources(SluiceCluster.class).inNamespace("tenant-a").withName("events").get(),
                c -> c.getStatus() != null && c.getStatus().getObservedGeneration() != null);
        assertEquals("BrokersNotReady", Conditions.find(reconciled.getStatus().getConditions(), "Ready").orElseThrow().getReason());

        // A spec change reaches the StatefulSet through the watch, not a restart of the operator.
        reconciled.getSpec().setReplicas(5);
        client.resource(reconciled).update();
        await().atMost(Duration.ofSeconds(30)).until(
                () -> client.apps().statefulSets().inNamespace("tenant-a").withName("events").get().getSpec().getReplicas() == 5);
    }
}
