package io.sluice.operator.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A topic of a {@link SluiceCluster} in the same namespace. Deleting it leaves the topic and its
 * data on the cluster unless it carries the annotation {@link #DELETE_TOPIC_ANNOTATION}{@code =true}.
 */
@Group(SluiceCluster.GROUP)
@Version(SluiceCluster.VERSION)
@ShortNames("st")
public class SluiceTopic extends CustomResource<SluiceTopicSpec, SluiceTopicStatus> implements Namespaced {
    /** Opt-in: when "true", deleting the SluiceTopic deletes the topic and its data. */
    public static final String DELETE_TOPIC_ANNOTATION = "sluice.io/delete-topic";

    /** The topic's name on the cluster: {@code spec.topicName} when set, else the resource's name. */
    public String topicName() {
        String name = getSpec() == null ? null : getSpec().getTopicName();
        return name != null && !name.isBlank() ? name : getMetadata().getName();
    }

    @Override
    protected SluiceTopicSpec initSpec() {
        return new SluiceTopicSpec();
    }

    @Override
    protected SluiceTopicStatus initStatus() {
        return new SluiceTopicStatus();
    }
}
