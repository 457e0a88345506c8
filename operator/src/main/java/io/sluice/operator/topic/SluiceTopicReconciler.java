package io.sluice.operator.topic;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.sluice.operator.cluster.BrokerEndpoints;
import io.sluice.operator.cluster.Conditions;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.SluiceTopic;
import io.sluice.operator.crd.SluiceTopicSpec;
import io.sluice.operator.crd.SluiceTopicStatus;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a topic on a Sluice cluster match a {@link SluiceTopic}: creates it, grows its partitions,
 * sets its configuration overrides. A partition count cannot shrink and a replication factor is
 * fixed at creation: such a spec leaves the topic as it is and says so in the Ready condition.
 * Deleting the resource leaves the topic and its data on the cluster, unless the resource carries
 * {@link SluiceTopic#DELETE_TOPIC_ANNOTATION}{@code : "true"}.
 */
@ControllerConfiguration(name = SluiceTopicReconciler.NAME)
public class SluiceTopicReconciler implements Reconciler<SluiceTopic>, Cleaner<SluiceTopic> {
    public static final String NAME = "sluicetopic";
    public static final String READY = "Ready";
    /** Looks again now and then: someone may change the topic through the REST API directly. */
    public static final Duration RESTING_INTERVAL = Duration.ofMinutes(5);
    public static final Duration RETRY_INTERVAL = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final TopicAdmin admin;
    private final BrokerEndpoints endpoints;
    private final Clock clock;

    @Inject
    public SluiceTopicReconciler(KubernetesClient client, TopicAdmin admin, BrokerEndpoints endpoints) {
        this(client, admin, endpoints, Clock.systemUTC());
    }

    SluiceTopicReconciler(KubernetesClient client, TopicAdmin admin, BrokerEndpoints endpoints, Clock clock) {
        this.client = client;
        this.admin = admin;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    @Override
    public UpdateControl<SluiceTopic> reconcile(SluiceTopic topic, Context<SluiceTopic> context) {
        SluiceTopicSpec spec = topic.getSpec();
        String namespace = topic.getMetadata().getNamespace();
        if (clusterMissing(namespace, spec.getCluster())) {
            return notReady(topic, "ClusterNotFound", "No SluiceCluster " + spec.getCluster() + " in namespace " + namespace);
        }
        URI cluster = endpoints.clusterUri(namespace, spec.getCluster());
        String name = topic.topicName();
        try {
            Optional<TopicDescription> existing = admin.describe(cluster, name);
            TopicDescription described;
            List<String> notApplied = new ArrayList<>();
            if (existing.isEmpty()) {
                described = admin.create(cluster, name, spec.getPartitions(), spec.getReplicationFactor(), spec.getConfig());
            } else {
                described = existing.get();
                boolean changed = false;
                if (spec.getPartitions() > described.partitions()) {
                    admin.addPartitions(cluster, name, spec.getPartitions());
                    changed = true;
                } else if (spec.getPartitions() < described.partitions()) {
                    notApplied.add("partitions cannot shrink (" + described.partitions() + " on the cluster)");
                }
                if (spec.getReplicationFactor() != described.replicationFactor()) {
                    notApplied.add("replicationFactor is fixed at creation (" + described.replicationFactor() + " on the cluster)");
                }
                Map<String, String> changes = TopicConfigDiff.changes(described.configOverrides(), spec.getConfig());
                if (!changes.isEmpty()) {
                    admin.updateConfig(cluster, name, changes);
                    changed = true;
                }
                if (changed) {
                    described = admin.describe(cluster, name).orElse(described);
                }
            }
            SluiceTopicStatus status = status(topic);
            status.setTopicId(described.id());
            status.setPartitions(described.partitions());
            if (notApplied.isEmpty()) {
                status.setConditions(Conditions.set(status.getConditions(), READY, Conditions.TRUE, "TopicReady",
                        "Topic " + name + " matches the spec", generation(topic), clock.instant()));
            } else {
                status.setConditions(Conditions.set(status.getConditions(), READY, Conditions.FALSE, "SpecNotApplicable",
                        String.join("; ", notApplied), generation(topic), clock.instant()));
            }
            topic.setStatus(status);
            return UpdateControl.patchStatus(topic).rescheduleAfter(RESTING_INTERVAL);
        } catch (TopicAdminException e) {
            return notReady(topic, e.unreachable() ? "ClusterUnreachable" : "Refused", e.getMessage());
        }
    }

    @Override
    public DeleteControl cleanup(SluiceTopic topic, Context<SluiceTopic> context) {
        if (!"true".equalsIgnoreCase(topic.getMetadata().getAnnotations() == null ? null
                : topic.getMetadata().getAnnotations().get(SluiceTopic.DELETE_TOPIC_ANNOTATION))) {
            return DeleteControl.defaultDelete();
        }
        String namespace = topic.getMetadata().getNamespace();
        if (clusterMissing(namespace, topic.getSpec().getCluster())) {
            return DeleteControl.defaultDelete();
        }
        try {
            admin.delete(endpoints.clusterUri(namespace, topic.getSpec().getCluster()), topic.topicName());
            return DeleteControl.defaultDelete();
        } catch (TopicAdminException e) {
            // The resource stays (with its finalizer) until the topic is really gone.
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY_INTERVAL);
        }
    }

    private boolean clusterMissing(String namespace, String clusterName) {
        return clusterName == null
                || client.resources(SluiceCluster.class).inNamespace(namespace).withName(clusterName).get() == null;
    }

    private UpdateControl<SluiceTopic> notReady(SluiceTopic topic, String reason, String message) {
        SluiceTopicStatus status = status(topic);
        status.setConditions(Conditions.set(status.getConditions(), READY, Conditions.FALSE, reason, message,
                generation(topic), clock.instant()));
        topic.setStatus(status);
        return UpdateControl.patchStatus(topic).rescheduleAfter(RETRY_INTERVAL);
    }

    private static SluiceTopicStatus status(SluiceTopic topic) {
        SluiceTopicStatus status = topic.getStatus() == null ? new SluiceTopicStatus() : topic.getStatus();
        status.setObservedGeneration(generation(topic));
        return status;
    }

    private static Long generation(SluiceTopic topic) {
        return topic.getMetadata().getGeneration();
    }
}
