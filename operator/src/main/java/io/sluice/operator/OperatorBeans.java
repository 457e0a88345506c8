package io.sluice.operator;

import io.quarkus.arc.DefaultBean;
import io.sluice.operator.cluster.BrokerEndpoints;
import io.sluice.operator.cluster.ClusterOperations;
import io.sluice.operator.cluster.PassiveClusterOperations;
import io.sluice.operator.topic.HttpTopicAdmin;
import io.sluice.operator.topic.TopicAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The plain objects the reconcilers are built from, produced from the operator's configuration. */
@ApplicationScoped
public class OperatorBeans {

    @Produces
    @ApplicationScoped
    BrokerEndpoints brokerEndpoints(
            @ConfigProperty(name = "sluice.operator.broker-url", defaultValue = BrokerEndpoints.IN_CLUSTER_TEMPLATE)
            String template) {
        return new BrokerEndpoints(template);
    }

    /** Replaced by any other ClusterOperations bean (the one that talks to the brokers). */
    @Produces
    @DefaultBean
    @ApplicationScoped
    ClusterOperations passiveClusterOperations() {
        return new PassiveClusterOperations();
    }

    @Produces
    @ApplicationScoped
    TopicAdmin topicAdmin() {
        return new HttpTopicAdmin();
    }
}
