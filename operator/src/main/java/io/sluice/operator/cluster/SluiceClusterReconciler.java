package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.SluiceClusterStatus;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Brings a {@link SluiceCluster} to its spec: applies its resources, then, through
 * {@link ClusterOperations}, rolls out-of-date brokers one at a time and moves partitions onto
 * new brokers, and reports what it saw as status. It runs again whenever the StatefulSet or a
 * broker pod changes, and at least every {@link #RESTING_INTERVAL} (the brokers' health changes
 * without any Kubernetes event).
 */
@ControllerConfiguration(name = SluiceClusterReconciler.NAME)
public class SluiceClusterReconciler implements Reconciler<SluiceCluster> {
    public static final String NAME = "sluicecluster";
    public static final Duration BUSY_INTERVAL = Duration.ofSeconds(10);
    public static final Duration RESTING_INTERVAL = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final ClusterOperations operations;
    private final ClusterResources resources;
    private final Clock clock;

    @Inject
    public SluiceClusterReconciler(KubernetesClient client, ClusterOperations operations) {
        this(client, operations, Clock.systemUTC());
    }

    SluiceClusterReconciler(KubernetesClient client, ClusterOperations operations, Clock clock) {
        this.client = client;
        this.operations = operations;
        this.resources = new ClusterResources(client);
        this.clock = clock;
    }

    @Override
    public UpdateControl<SluiceCluster> reconcile(SluiceCluster cluster, Context<SluiceCluster> context) {
        String namespace = cluster.getMetadata().getNamespace();
        ScaleInDecision scaleIn = scaleIn(cluster, client.apps().statefulSets().inNamespace(namespace)
                .withName(cluster.getMetadata().getName()).get());
        resources.apply(cluster, scaleIn.replicas());
        StatefulSet statefulSet = client.apps().statefulSets().inNamespace(namespace)
                .withName(cluster.getMetadata().getName()).get();
        List<Pod> pods = client.pods().inNamespace(namespace)
                .withLabels(ClusterLabels.selector(cluster)).list().getItems();

        BrokerHealth health = operations.health(cluster);
        RollStep step = operations.nextRollStep(cluster, statefulSet, pods, health);
        if (step instanceof RollStep.Restart restart) {
            // Leadership is already handed away; the StatefulSet recreates the pod from the new template.
            client.pods().inNamespace(namespace).withName(restart.podName()).delete();
        }
        // Moving partitions while a broker restarts would count its absence as lag: one thing at a time.
        ScaleOutProgress scaleOut = step instanceof RollStep.Done ? operations.scaleOut(cluster, health) : null;

        int readyReplicas = readyReplicas(statefulSet);
        SluiceClusterStatus status = ClusterStatusCalculator.status(cluster,
                new ClusterStatusCalculator.Observation(readyReplicas, health, step, scaleOut, scaleIn), clock.instant());
        cluster.setStatus(status);
        Duration next = ClusterStatusCalculator.busy(status) ? BUSY_INTERVAL : RESTING_INTERVAL;
        return UpdateControl.patchStatus(cluster).rescheduleAfter(next);
    }

    @Override
    public ErrorStatusUpdateControl<SluiceCluster> updateErrorStatus(SluiceCluster cluster, Context<SluiceCluster> context,
                                                                     Exception e) {
        SluiceClusterStatus status = cluster.getStatus() == null ? new SluiceClusterStatus() : cluster.getStatus();
        status.setConditions(Conditions.set(status.getConditions(), ClusterStatusCalculator.READY, Conditions.FALSE,
                "ReconcileFailed", String.valueOf(e.getMessage()), cluster.getMetadata().getGeneration(), clock.instant()));
        cluster.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(cluster);
    }

    /** Reconcile again when the StatefulSet's status or a broker pod changes (readiness, restarts). */
    @Override
    public List<EventSource<?, SluiceCluster>> prepareEventSources(EventSourceContext<SluiceCluster> context) {
        InformerEventSource<StatefulSet, SluiceCluster> statefulSets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(StatefulSet.class, SluiceCluster.class)
                        .withName("statefulsets")
                        .withLabelSelector(ClusterLabels.MANAGED_BY + "=" + ClusterLabels.OPERATOR_NAME)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SluiceCluster.class))
                        .build(),
                context);
        InformerEventSource<Pod, SluiceCluster> pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, SluiceCluster.class)
                        .withName("brokerpods")
                        .withLabelSelector(ClusterLabels.MANAGED_BY + "=" + ClusterLabels.OPERATOR_NAME)
                        .withSecondaryToPrimaryMapper(pod -> Set.of(new ResourceID(
                                pod.getMetadata().getLabels().get(ClusterLabels.INSTANCE),
                                pod.getMetadata().getNamespace())))
                        .build(),
                context);
        return List.of(statefulSets, pods);
    }

    /** A shrinking StatefulSet waits until the brokers that would go hold no replica. */
    private ScaleInDecision scaleIn(SluiceCluster cluster, StatefulSet current) {
        int wanted = cluster.getSpec().getReplicas();
        Integer currentReplicas = current == null || current.getSpec() == null ? null : current.getSpec().getReplicas();
        if (currentReplicas == null || currentReplicas <= wanted) {
            return ScaleInDecision.allow(wanted);
        }
        return operations.checkScaleIn(cluster, currentReplicas);
    }

    private static int readyReplicas(StatefulSet statefulSet) {
        if (statefulSet == null || statefulSet.getStatus() == null || statefulSet.getStatus().getReadyReplicas() == null) {
            return 0;
        }
        return statefulSet.getStatus().getReadyReplicas();
    }
}
