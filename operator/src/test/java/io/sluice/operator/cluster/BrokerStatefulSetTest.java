package io.sluice.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sluice.operator.crd.RacksSpec;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The broker pod contract, checked on the StatefulSet the operator builds. */
class BrokerStatefulSetTest {

    private final SluiceCluster cluster = TestClusters.stored("kafka", "events", 3, "0.2.0");

    @Test
    void identityStorageAndUpdateStrategy() {
        StatefulSet sts = BrokerStatefulSet.desired(cluster);
        assertEquals("events", sts.getMetadata().getName());
        assertEquals("kafka", sts.getMetadata().getNamespace());
        assertEquals("events-headless", sts.getSpec().getServiceName());
        assertEquals(3, sts.getSpec().getReplicas());
        assertEquals("OnDelete", sts.getSpec().getUpdateStrategy().getType());
        assertEquals("Parallel", sts.getSpec().getPodManagementPolicy());
        assertEquals("Retain", sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
        assertEquals("Retain", sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled());
        assertEquals(ClusterLabels.selector(cluster), sts.getSpec().getSelector().getMatchLabels());
        assertEquals(ClusterLabels.labels(cluster), sts.getSpec().getTemplate().getMetadata().getLabels());
        var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
        assertEquals("data", claim.getMetadata().getName());
        assertEquals(new Quantity("50Gi"), claim.getSpec().getResources().getRequests().get("storage"));
        assertNull(claim.getSpec().getStorageClassName());
    }

    @Test
    void containerFollowsTheBrokerPodContract() {
        PodSpec pod = BrokerStatefulSet.desired(cluster).getSpec().getTemplate().getSpec();
        assertEquals(120L, pod.getTerminationGracePeriodSeconds());
        assertEquals(185L, pod.getSecurityContext().getRunAsUser());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        Container sluice = pod.getContainers().get(0);
        assertEquals("sluice", sluice.getName());
        assertEquals("sluice/sluice:0.2.0", sluice.getImage());
        assertEquals(Map.of("http", 8080, "jgroups", 7800, "jgroups-fd", 7900, "replication", 9093),
                sluice.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort)));
        assertEquals("/q/health/live", sluice.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", sluice.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", sluice.getStartupProbe().getHttpGet().getPath());
        assertEquals("http", sluice.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals(List.of("sh", "-c",
                        "curl -fsS -X POST \"http://127.0.0.1:8080/cluster/brokers/$SLUICE_BROKER_ID/drain?timeoutMs=60000\" || true"),
                sluice.getLifecycle().getPreStop().getExec().getCommand());
        assertTrue(sluice.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("data") && m.getMountPath().equals("/var/lib/sluice")));
        assertEquals("events-config", sluice.getEnvFrom().get(0).getConfigMapRef().getName());
    }

    @Test
    void environmentGivesEachBrokerItsIdentity() {
        Map<String, EnvVar> env = env(cluster);
        assertEquals("metadata.labels['apps.kubernetes.io/pod-index']", env.get("SLUICE_BROKER_ID").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("status.podIP", env.get("SLUICE_CLUSTER_BIND_ADDRESS").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("status.podIP", env.get("SLUICE_CLUSTER_ADVERTISED_HOST").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("events-headless.kafka.svc.cluster.local", env.get("SLUICE_CLUSTER_DNS_QUERY").getValue());
        assertEquals("/var/lib/sluice", env.get("SLUICE_DATA_DIR").getValue());
        assertEquals("-Djava.net.preferIPv4Stack=true", env.get("JAVA_TOOL_OPTIONS").getValue());
        // No Secret named: the default AWS chain (IRSA), and no rack without racks.
        assertFalse(env.containsKey("SLUICE_TIER_S3_ACCESS_KEY"));
        assertFalse(env.containsKey("SLUICE_RACK"));
    }

    @Test
    void credentialsComeFromTheNamedSecret() {
        cluster.getSpec().getObjectStore().setCredentialsSecret("s3-creds");
        Map<String, EnvVar> env = env(cluster);
        assertEquals("s3-creds", env.get("SLUICE_TIER_S3_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName());
        assertEquals("access-key", env.get("SLUICE_TIER_S3_ACCESS_KEY").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("secret-key", env.get("SLUICE_TIER_S3_SECRET_KEY").getValueFrom().getSecretKeyRef().getKey());
    }

    @Test
    void racksSpreadBrokersOverZonesAndNameTheirRack() {
        cluster.getSpec().setRacks(new RacksSpec());
        PodSpec pod = BrokerStatefulSet.desired(cluster).getSpec().getTemplate().getSpec();
        TopologySpreadConstraint spread = pod.getTopologySpreadConstraints().get(0);
        assertEquals("topology.kubernetes.io/zone", spread.getTopologyKey());
        assertEquals("DoNotSchedule", spread.getWhenUnsatisfiable());
        assertEquals(1, spread.getMaxSkew());
        assertEquals("kubernetes.io/hostname", pod.getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm().getTopologyKey());
        assertEquals("metadata.labels['topology.kubernetes.io/zone']",
                env(cluster).get("SLUICE_RACK").getValueFrom().getFieldRef().getFieldPath());
    }

    @Test
    void imageResourcesAndStorageClassFromTheSpec() {
        cluster.getSpec().setImage("registry.example.com/sluice:custom");
        cluster.getSpec().setResources(new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("4Gi")).build());
        cluster.getSpec().getStorage().setClassName("gp3");
        cluster.getSpec().getStorage().setSize("200Gi");
        StatefulSet sts = BrokerStatefulSet.desired(cluster);
        Container sluice = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("registry.example.com/sluice:custom", sluice.getImage());
        assertEquals(new Quantity("4Gi"), sluice.getResources().getLimits().get("memory"));
        assertEquals("gp3", sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName());
        assertEquals(new Quantity("200Gi"), sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"));
    }

    @Test
    void aConfigurationChangeChangesThePodTemplateSoTheBrokersRoll() {
        String before = BrokerStatefulSet.desired(cluster).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(BrokerStatefulSet.CONFIG_HASH_ANNOTATION);
        cluster.getSpec().getConfig().put("sluice.log.segment-bytes", "1048576");
        String after = BrokerStatefulSet.desired(cluster).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(BrokerStatefulSet.CONFIG_HASH_ANNOTATION);
        assertNotEquals(before, after);
    }

    private static Map<String, EnvVar> env(SluiceCluster cluster) {
        return BrokerStatefulSet.desired(cluster).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                .stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }
}
