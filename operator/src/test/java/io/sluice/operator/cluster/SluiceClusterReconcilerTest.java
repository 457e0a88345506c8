package io.sluice.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.SluiceClusterStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster reconciler against fabric8's mock API server in CRUD mode: what it creates, how it
 * follows spec changes, what it reports. The mock server runs no controllers (no garbage
 * collector, no StatefulSet controller): a test plays their part where it matters.
 */
@EnableKubernetesMockClient(crud = true)
class SluiceClusterReconcilerTest {
    private static final String NS = "streaming";

    KubernetesClient client;
    private ScriptedClusterOperations operations;
    private SluiceClusterReconciler reconciler;

    @BeforeEach
    void setUp() {
        operations = new ScriptedClusterOperations();
        reconciler = new SluiceClusterReconciler(client, operations,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void createsEveryResourceOwnedByTheClusterAndLabelled() {
        SluiceCluster cluster = create("orders", 3, "0.2.0");
        reconciler.reconcile(cluster, null);

        List<HasMetadata> created = List.of(
                client.apps().statefulSets().inNamespace(NS).withName("orders").get(),
                client.services().inNamespace(NS).withName("orders-headless").get(),
                client.services().inNamespace(NS).withName("orders").get(),
                client.configMaps().inNamespace(NS).withName("orders-config").get(),
                client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("orders").get(),
                client.network().v1().networkPolicies().inNamespace(NS).withName("orders").get());
        for (HasMetadata resource : created) {
            assertNotNull(resource);
            String what = resource.getKind() + " " + resource.getMetadata().getName();
            assertEquals("sluice", resource.getMetadata().getLabels().get("app.kubernetes.io/name"), what);
            assertEquals("orders", resource.getMetadata().getLabels().get("app.kubernetes.io/instance"), what);
            assertEquals("sluice-operator", resource.getMetadata().getLabels().get("app.kubernetes.io/managed-by"), what);
            assertOwnedBy(cluster, resource);
        }
        var headless = client.services().inNamespace(NS).withName("orders-headless").get();
        assertEquals("None", headless.getSpec().getClusterIP());
        assertTrue(headless.getSpec().getPublishNotReadyAddresses());
        assertEquals(8080, client.services().inNamespace(NS).withName("orders").get().getSpec().getPorts().get(0).getPort());
        assertEquals(1, client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("orders").get()
                .getSpec().getMaxUnavailable().getIntVal());
        // No Prometheus Operator here: no ServiceMonitor.
        assertNull(serviceMonitor("orders"));
    }

    @Test
    void aServiceMonitorOnlyWhereItsCrdIsInstalled() {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("servicemonitors.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion()
                .endSpec().build()).create();
        SluiceCluster cluster = create("metrics", 1, "0.2.0");
        reconciler.reconcile(cluster, null);

        var monitor = serviceMonitor("metrics");
        assertNotNull(monitor);
        assertOwnedBy(cluster, monitor);
        @SuppressWarnings("unchecked")
        var endpoint = ((List<java.util.Map<String, Object>>) ((java.util.Map<String, Object>) monitor
                .getAdditionalProperties().get("spec")).get("endpoints")).get(0);
        assertEquals("/q/metrics", endpoint.get("path"));
        assertEquals("http", endpoint.get("port"));
    }

    @Test
    void changingReplicasOrVersionUpdatesTheStatefulSet() {
        SluiceCluster cluster = create("payments", 3, "0.2.0");
        reconciler.reconcile(cluster, null);

        cluster = client.resource(cluster).get();
        cluster.getSpec().setReplicas(5);
        cluster.getSpec().setVersion("0.3.0");
        cluster = client.resource(cluster).update();
        reconciler.reconcile(cluster, null);

        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("payments").get();
        assertEquals(5, sts.getSpec().getReplicas());
        assertEquals("sluice/sluice:0.3.0", sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        // Volume templates cannot change on a StatefulSet: a new size applies to no existing volume.
        cluster.getSpec().getStorage().setSize("500Gi");
        reconciler.reconcile(cluster, null);
        sts = client.apps().statefulSets().inNamespace(NS).withName("payments").get();
        assertEquals(new io.fabric8.kubernetes.api.model.Quantity("50Gi"),
                sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"));
        // Still one StatefulSet, still owned: applied in place, not created anew.
        assertEquals(1, client.apps().statefulSets().inNamespace(NS).list().getItems().size());
        assertOwnedBy(cluster, sts);
    }

    @Test
    void reapplyingKeepsWhatOthersWroteAndDropsRemovedSettings() {
        SluiceCluster cluster = create("shared", 3, "0.2.0");
        cluster.getSpec().getConfig().put("sluice.log.retention-ms", "1000");
        reconciler.reconcile(cluster, null);
        markReady("shared", 2);
        client.apps().statefulSets().inNamespace(NS).withName("shared")
                .edit(sts -> { sts.getMetadata().getAnnotations().put("team", "streaming"); return sts; });

        cluster.getSpec().getConfig().clear();
        reconciler.reconcile(cluster, null);

        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("shared").get();
        assertEquals("streaming", sts.getMetadata().getAnnotations().get("team"));
        assertEquals(2, sts.getStatus().getReadyReplicas());
        assertEquals(1, sts.getSpec().getTemplate().getSpec().getContainers().size());
        assertNull(client.configMaps().inNamespace(NS).withName("shared-config").get().getData().get("SLUICE_LOG_RETENTION_MS"));
    }

    @Test
    void aScaleInWaitsUntilTheBrokersThatGoHoldNoReplica() {
        SluiceCluster cluster = create("shrink", 5, "0.2.0");
        reconciler.reconcile(cluster, null);
        cluster.getSpec().setReplicas(3);

        operations.refuseScaleIn = "scale-in refused: brokers 3,4 still hold 12 replicas";
        SluiceClusterStatus status = reconciler.reconcile(cluster, null).getResource().orElseThrow().getStatus();
        assertEquals(5, client.apps().statefulSets().inNamespace(NS).withName("shrink").get().getSpec().getReplicas());
        assertCondition(status, "Ready", "False", "ScaleInRefused");
        assertCondition(status, "Reconciling", "True", "ScaleInRefused");
        assertEquals(operations.refuseScaleIn, conditionOf(status, "Ready").getMessage());

        operations.refuseScaleIn = null;
        reconciler.reconcile(cluster, null);
        assertEquals(3, client.apps().statefulSets().inNamespace(NS).withName("shrink").get().getSpec().getReplicas());
    }

    @Test
    void theRollsStateSurvivesInTheStatus() {
        SluiceCluster cluster = create("state", 3, "0.2.0");
        cluster.setStatus(new SluiceClusterStatus());
        cluster.getStatus().setRoll(java.util.Map.of("phase", "Draining", "broker", "2"));
        SluiceClusterStatus status = reconciler.reconcile(cluster, null).getResource().orElseThrow().getStatus();
        assertEquals(java.util.Map.of("phase", "Draining", "broker", "2"), status.getRoll());
    }

    @Test
    void deletingTheClusterLeavesGarbageCollectionToKubernetesAndKeepsTheVolumes() {
        SluiceCluster cluster = create("audit", 3, "0.2.0");
        reconciler.reconcile(cluster, null);
        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("audit").get();
        // Kubernetes' garbage collector deletes what the cluster owns (the mock server has none:
        // the owner references are what it would follow); the volumes outlive both.
        assertOwnedBy(cluster, sts);
        assertEquals("Retain", sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
        assertEquals("Retain", sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled());
        assertTrue(sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getOwnerReferences() == null
                || sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getOwnerReferences().isEmpty());

        client.resource(cluster).delete();
        assertNull(client.resource(cluster).get());
    }

    @Test
    void statusFollowsTheBrokersAndTheRoll() {
        SluiceCluster cluster = create("clicks", 3, "0.2.0");
        reconciler.reconcile(cluster, null);
        markReady("clicks", 3);
        operations.scaleOutCalls = 0;

        // A roll waiting for a partition to catch up, as the brokers report it.
        operations.health = new BrokerHealth(true, List.of(0, 1, 2), List.of(0, 1, 2), 2, 0);
        operations.rollStep = new RollStep.Wait("2 partitions under-replicated");
        UpdateControl<SluiceCluster> control = reconciler.reconcile(client.resource(cluster).get(), null);
        SluiceClusterStatus status = control.getResource().orElseThrow().getStatus();
        assertTrue(control.isPatchStatus());
        assertEquals(3, status.getReadyReplicas());
        assertEquals(List.of(0, 1, 2), status.getBrokers());
        assertEquals(2, status.getUnderReplicatedPartitions());
        assertEquals(1L, status.getObservedGeneration());
        assertCondition(status, "Ready", "False", "RollingUpdate");
        assertCondition(status, "Reconciling", "True", "RollingUpdate");
        assertCondition(status, "UnderReplicated", "True", "PartitionsUnderReplicated");
        assertNull(status.getCurrentVersion());
        assertEquals(0, operations.scaleOutCalls, "no partition moves during a roll");
        assertEquals(SluiceClusterReconciler.BUSY_INTERVAL.toMillis(), control.getScheduleDelay().orElseThrow());
        // The StatefulSet handed to the roll carries the status the API server holds.
        assertEquals(3, operations.lastStatefulSet.getStatus().getReadyReplicas());

        // Whole again, roll finished.
        operations.health = new BrokerHealth(true, List.of(0, 1, 2), List.of(0, 1, 2), 0, 0);
        operations.rollStep = new RollStep.Done();
        cluster.setStatus(status);
        control = reconciler.reconcile(cluster, null);
        status = control.getResource().orElseThrow().getStatus();
        assertCondition(status, "Ready", "True", "BrokersReady");
        assertCondition(status, "Reconciling", "False", "Reconciled");
        assertCondition(status, "UnderReplicated", "False", "FullyReplicated");
        assertEquals("0.2.0", status.getCurrentVersion());
        assertEquals(SluiceClusterReconciler.RESTING_INTERVAL.toMillis(), control.getScheduleDelay().orElseThrow());
    }

    @Test
    void brokersNotAnsweringMakeUnderReplicatedUnknown() {
        SluiceCluster cluster = create("quiet", 3, "0.2.0");
        SluiceClusterStatus status = reconciler.reconcile(cluster, null).getResource().orElseThrow().getStatus();
        assertEquals(0, status.getReadyReplicas());
        assertCondition(status, "Ready", "False", "BrokersNotReady");
        assertCondition(status, "Reconciling", "True", "BrokersStarting");
        assertCondition(status, "UnderReplicated", "Unknown", "BrokersUnreachable");
    }

    @Test
    void aRestartStepDeletesThatPodAndNoOther() {
        SluiceCluster cluster = create("roll", 3, "0.2.0");
        reconciler.reconcile(cluster, null);
        for (int id = 0; id < 3; id++) {
            client.pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName("roll-" + id).withLabels(ClusterLabels.labels(cluster)).endMetadata()
                    .withNewSpec().addNewContainer().withName("sluice").withImage("sluice/sluice:0.1.0").endContainer().endSpec()
                    .build()).create();
        }
        operations.health = new BrokerHealth(true, List.of(0, 1, 2), List.of(0, 1, 2), 0, 0);
        operations.rollStep = new RollStep.Restart("roll-2", 2, "drained, 0 leaderships");
        SluiceClusterStatus status = reconciler.reconcile(cluster, null).getResource().orElseThrow().getStatus();

        assertEquals(3, operations.lastPods.size());
        assertNull(client.pods().inNamespace(NS).withName("roll-2").get());
        assertNotNull(client.pods().inNamespace(NS).withName("roll-1").get());
        assertCondition(status, "Reconciling", "True", "RollingUpdate");
        assertTrue(conditionOf(status, "Reconciling").getMessage().contains("roll-2"));
    }

    @Test
    void scaleOutInProgressKeepsReconciling() {
        SluiceCluster cluster = create("grow", 3, "0.2.0");
        reconciler.reconcile(cluster, null);
        markReady("grow", 3);
        operations.health = new BrokerHealth(true, List.of(0, 1, 2), List.of(0, 1, 2), 0, 0);
        operations.scaleOut = ScaleOutProgress.moving("4 of 12 partitions moved to brokers 3, 4");
        SluiceClusterStatus status = reconciler.reconcile(cluster, null).getResource().orElseThrow().getStatus();
        assertCondition(status, "Reconciling", "True", "ScalingOut");
        assertEquals("4 of 12 partitions moved to brokers 3, 4", conditionOf(status, "Reconciling").getMessage());
    }

    private SluiceCluster create(String name, int replicas, String version) {
        SluiceCluster created = client.resource(TestClusters.cluster(NS, name, replicas, version)).create();
        if (created.getMetadata().getGeneration() == null) {
            created.getMetadata().setGeneration(1L);
        }
        return created;
    }

    /** Plays the StatefulSet controller: n pods ready. */
    private void markReady(String name, int readyReplicas) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName(name).get();
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(readyReplicas).withReadyReplicas(readyReplicas).build());
        client.resource(sts).updateStatus();
    }

    private io.fabric8.kubernetes.api.model.GenericKubernetesResource serviceMonitor(String name) {
        return client.genericKubernetesResources(ClusterResources.SERVICE_MONITORS).inNamespace(NS).withName(name).get();
    }

    private static void assertOwnedBy(SluiceCluster cluster, HasMetadata resource) {
        List<OwnerReference> owners = resource.getMetadata().getOwnerReferences();
        assertEquals(1, owners.size(), resource.getKind() + " owners");
        OwnerReference owner = owners.get(0);
        assertEquals("sluice.io/v1alpha1", owner.getApiVersion());
        assertEquals("SluiceCluster", owner.getKind());
        assertEquals(cluster.getMetadata().getName(), owner.getName());
        assertNotNull(cluster.getMetadata().getUid());
        assertEquals(cluster.getMetadata().getUid(), owner.getUid());
        assertTrue(owner.getController());
    }

    private static Condition conditionOf(SluiceClusterStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    private static void assertCondition(SluiceClusterStatus status, String type, String expectedStatus, String reason) {
        Condition condition = conditionOf(status, type);
        assertEquals(expectedStatus, condition.getStatus(), type + ": " + condition.getMessage());
        assertEquals(reason, condition.getReason(), type);
        assertEquals("2026-01-01T00:00:00Z", condition.getLastTransitionTime());
    }
}
