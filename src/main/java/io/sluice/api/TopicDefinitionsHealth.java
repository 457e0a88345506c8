package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.DamagedDefinition;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/group/storage}, check {@code sluice-topic-definitions}: the topic definitions
 * found damaged at start and set aside under {@code meta/topics/quarantine/}, each with what is
 * wrong and whether the topic is served all the same (the bucket's copy brought it back). Listed
 * until an operator removes the file from the quarantine; down while any of them is not served:
 * its data is on disk, untouched, until the definition is repaired.
 */
@ApplicationScoped
@HealthGroup("storage")
public class TopicDefinitionsHealth implements HealthCheck {
    private final Broker broker;

    public TopicDefinitionsHealth(Broker broker) {
        this.broker = broker;
    }

    @Override
    public HealthCheckResponse call() {
        boolean allServed = true;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sluice-topic-definitions");
        for (DamagedDefinition d : broker.damagedTopicDefinitions()) {
            allServed &= d.restored();
            response.withData(d.name(), (d.restored() ? "served (restored); " : "NOT SERVED; ") + d.problem()
                    + (d.setAsideAt() == null ? "" : "; set aside at " + d.setAsideAt()));
        }
        return response.withData("damaged", broker.damagedTopicDefinitions().size()).status(allServed).build();
    }
}
