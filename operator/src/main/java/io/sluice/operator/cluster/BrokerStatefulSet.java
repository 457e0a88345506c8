package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.sluice.operator.crd.ObjectStoreSpec;
import io.sluice.operator.crd.RacksSpec;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.StorageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet {@code <name>} of a cluster's brokers. Its update strategy is OnDelete: a
 * changed template (version, resources, configuration) is rolled by the operator, one broker at a
 * time and only while every partition is fully replicated, never by Kubernetes. Pods start in
 * parallel because brokers find each other through the headless Service and none is "first".
 */
public final class BrokerStatefulSet {
    public static final String CONTAINER = "sluice";
    public static final String DATA_VOLUME = "data";
    public static final String DATA_DIR = "/var/lib/sluice";
    /** The pod template annotation whose change rolls the brokers when only the ConfigMap changed. */
    public static final String CONFIG_HASH_ANNOTATION = "sluice.io/config-hash";
    /** Set by Kubernetes (1.28+) on every StatefulSet pod: its ordinal, which is the broker id. */
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    public static final int USER_ID = 185;
    public static final long TERMINATION_GRACE_SECONDS = 120;
    public static final String PRE_STOP_DRAIN =
            "curl -fsS -X POST \"http://127.0.0.1:8080/cluster/brokers/$SLUICE_BROKER_ID/drain?timeoutMs=60000\" || true";

    private BrokerStatefulSet() {
    }

    public static StatefulSet desired(SluiceCluster cluster) {
        return desired(cluster, cluster.getSpec().getReplicas());
    }

    /** With {@code replicas} brokers instead of the spec's (a scale-in held back). */
    public static StatefulSet desired(SluiceCluster cluster, int replicas) {
        String name = cluster.getMetadata().getName();
        Map<String, String> labels = ClusterLabels.labels(cluster);
        return new StatefulSetBuilder()
                .withMetadata(ClusterLabels.metadata(cluster, name))
                .withNewSpec()
                    .withServiceName(ClusterLabels.headlessServiceName(cluster))
                    .withReplicas(replicas)
                    .withPodManagementPolicy("Parallel")
                    .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                    .withNewPersistentVolumeClaimRetentionPolicy()
                        .withWhenDeleted("Retain")
                        .withWhenScaled("Retain")
                    .endPersistentVolumeClaimRetentionPolicy()
                    .withSelector(new LabelSelectorBuilder().withMatchLabels(ClusterLabels.selector(cluster)).build())
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels)
                            .addToAnnotations(CONFIG_HASH_ANNOTATION, BrokerConfigMap.contentHash(cluster))
                        .endMetadata()
                        .withNewSpec()
                            .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                            .withNewSecurityContext()
                                .withRunAsUser((long) USER_ID)
                                .withRunAsGroup((long) USER_ID)
                                .withFsGroup((long) USER_ID)
                                .withRunAsNonRoot(true)
                            .endSecurityContext()
                            .withNewAffinity()
                                .withNewPodAntiAffinity()
                                    .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                                        .withWeight(100)
                                        .withNewPodAffinityTerm()
                                            .withTopologyKey("kubernetes.io/hostname")
                                            .withLabelSelector(selector(cluster))
                                        .endPodAffinityTerm()
                                    .endPreferredDuringSchedulingIgnoredDuringExecution()
                                .endPodAntiAffinity()
                            .endAffinity()
                            .withTopologySpreadConstraints(topologySpread(cluster))
                            .withContainers(container(cluster))
                        .endSpec()
                    .endTemplate()
                    .withVolumeClaimTemplates(dataClaim(cluster))
                .endSpec()
                .build();
    }

    private static LabelSelector selector(SluiceCluster cluster) {
        return new LabelSelectorBuilder().withMatchLabels(ClusterLabels.selector(cluster)).build();
    }

    /**
     * With racks, at most one broker more in one zone than in another, strictly; without, spread
     * over nodes when the scheduler can.
     */
    private static List<TopologySpreadConstraint> topologySpread(SluiceCluster cluster) {
        RacksSpec racks = cluster.getSpec().getRacks();
        boolean zoned = racks != null;
        return List.of(new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey(zoned ? racks.getTopologyKey() : "kubernetes.io/hostname")
                .withWhenUnsatisfiable(zoned ? "DoNotSchedule" : "ScheduleAnyway")
                .withLabelSelector(selector(cluster))
                .build());
    }

    private static Container container(SluiceCluster cluster) {
        ContainerBuilder container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(cluster.getSpec().effectiveImage())
                .addNewPort().withName(BrokerPorts.HTTP).withContainerPort(BrokerPorts.HTTP_PORT).endPort()
                .addNewPort().withName(BrokerPorts.JGROUPS).withContainerPort(BrokerPorts.JGROUPS_PORT).endPort()
                .addNewPort().withName(BrokerPorts.JGROUPS_FD).withContainerPort(BrokerPorts.JGROUPS_FD_PORT).endPort()
                .addNewPort().withName(BrokerPorts.REPLICATION).withContainerPort(BrokerPorts.REPLICATION_PORT).endPort()
                .addNewEnvFrom().withNewConfigMapRef().withName(ClusterLabels.configMapName(cluster)).endConfigMapRef().endEnvFrom()
                .withEnv(env(cluster))
                .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(DATA_DIR).endVolumeMount()
                .withLivenessProbe(httpProbe("/q/health/live", 10, 6))
                .withReadinessProbe(httpProbe("/q/health/ready", 5, 3))
                // Recovery of a large local log can take minutes: up to 5 minutes before liveness applies.
                .withStartupProbe(httpProbe("/q/health/ready", 2, 150))
                .withNewLifecycle()
                    .withNewPreStop().withNewExec().withCommand("sh", "-c", PRE_STOP_DRAIN).endExec().endPreStop()
                .endLifecycle()
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext();
        ResourceRequirements resources = cluster.getSpec().getResources();
        if (resources != null) {
            container.withResources(resources);
        }
        return container.build();
    }

    private static Probe httpProbe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withNewPort(BrokerPorts.HTTP).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    static List<EnvVar> env(SluiceCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef("SLUICE_BROKER_ID", "metadata.labels['" + POD_INDEX_LABEL + "']"));
        env.add(fieldRef("SLUICE_CLUSTER_BIND_ADDRESS", "status.podIP"));
        env.add(fieldRef("SLUICE_CLUSTER_ADVERTISED_HOST", "status.podIP"));
        env.add(value("SLUICE_CLUSTER_DNS_QUERY",
                ClusterLabels.headlessServiceName(cluster) + "." + namespace + ".svc.cluster.local"));
        env.add(value("SLUICE_DATA_DIR", DATA_DIR));
        RacksSpec racks = cluster.getSpec().getRacks();
        if (racks != null) {
            // Node labels are not in the downward API; the pod's copy of the zone label is, where the
            // cluster adds it (PodTopologyLabelsAdmission). Where it does not, the value is empty
            // and the broker runs without a rack: set sluice.rack per zone another way.
            env.add(fieldRef("SLUICE_RACK", "metadata.labels['" + racks.getTopologyKey() + "']"));
        }
        ObjectStoreSpec store = cluster.getSpec().getObjectStore();
        if (store != null && store.getCredentialsSecret() != null && !store.getCredentialsSecret().isBlank()) {
            env.add(secretRef("SLUICE_TIER_S3_ACCESS_KEY", store.getCredentialsSecret(), "access-key"));
            env.add(secretRef("SLUICE_TIER_S3_SECRET_KEY", store.getCredentialsSecret(), "secret-key"));
        }
        // JGroups binds the pod's IPv4 address; an IPv6-preferring JVM would pick another.
        env.add(value("JAVA_TOOL_OPTIONS", "-Djava.net.preferIPv4Stack=true"));
        return env;
    }

    private static PersistentVolumeClaim dataClaim(SluiceCluster cluster) {
        StorageSpec storage = cluster.getSpec().getStorage() == null ? new StorageSpec() : cluster.getSpec().getStorage();
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(DATA_VOLUME).withLabels(ClusterLabels.labels(cluster)).endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storage.getClassName())
                    .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
                .endSpec()
                .build();
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar fieldRef(String name, String fieldPath) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewFieldRef().withFieldPath(fieldPath).endFieldRef().endValueFrom()
                .build();
    }

    private static EnvVar secretRef(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef().endValueFrom()
                .build();
    }
}
