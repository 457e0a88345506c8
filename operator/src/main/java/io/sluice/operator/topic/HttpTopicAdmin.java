package io.sluice.operator.topic;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerAdminException;
import io.sluice.operator.brokers.BrokerProblemException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** {@link TopicAdmin} over the brokers' REST API, through the operator's one client of it, {@link BrokerAdmin}. */
public final class HttpTopicAdmin implements TopicAdmin {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Topic creation answers once every partition has a leader: allow for an election. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    @Override
    public Optional<TopicDescription> describe(URI cluster, String topic) {
        try {
            return Optional.of(call(cluster, admin -> description(admin.topic(topic))));
        } catch (TopicAdminException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public TopicDescription create(URI cluster, String topic, int partitions, int replicationFactor,
            Map<String, String> config) {
        return call(cluster, admin -> description(admin.createTopic(topic, partitions, replicationFactor, config)));
    }

    @Override
    public void addPartitions(URI cluster, String topic, int count) {
        call(cluster, admin -> admin.addPartitions(topic, count));
    }

    @Override
    public void updateConfig(URI cluster, String topic, Map<String, String> changes) {
        call(cluster, admin -> admin.updateTopicConfig(topic, changes));
    }

    @Override
    public void delete(URI cluster, String topic) {
        try {
            call(cluster, admin -> {
                admin.deleteTopic(topic);
                return null;
            });
        } catch (TopicAdminException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private <T> T call(URI cluster, Function<BrokerAdmin, T> operation) {
        try {
            return operation.apply(new BrokerAdmin(cluster, REQUEST_TIMEOUT, http));
        } catch (BrokerProblemException e) {
            throw new TopicAdminException(e.status(), e.code(), e.getMessage(), e);
        } catch (BrokerAdminException e) {
            throw new TopicAdminException(0, null, e.getMessage(), e);
        }
    }

    private static TopicDescription description(io.sluice.operator.brokers.TopicDescription topic) {
        return new TopicDescription(topic.name(), topic.id(), topic.partitions(), topic.replicationFactor(),
                topic.configOverrides());
    }
}
