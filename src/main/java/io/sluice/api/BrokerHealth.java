package io.sluice.api;

import io.sluice.broker.Broker;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health: live while the process runs; ready once logs are recovered and while every partition can be written. */
public class BrokerHealth {
    @ApplicationScoped
    @Liveness
    public static class Live implements HealthCheck {
        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.up("sluice-broker");
        }
    }

    @ApplicationScoped
    @Readiness
    public static class Ready implements HealthCheck {
        private final Broker broker;

        public Ready(Broker broker) {
            this.broker = broker;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("sluice-logs").status(broker.isHealthy())
                    .withData("topics", broker.topics().size()).build();
        }
    }
}
