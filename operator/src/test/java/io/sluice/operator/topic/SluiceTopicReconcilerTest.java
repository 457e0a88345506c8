package io.sluice.operator.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.sluice.operator.cluster.BrokerEndpoints;
import io.sluice.operator.cluster.Conditions;
import io.sluice.operator.cluster.TestClusters;
import io.sluice.operator.crd.SluiceTopic;
import io.sluice.operator.crd.SluiceTopicStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topic reconciler against the mock API server and a stub of the brokers' topic API over HTTP. */
@EnableKubernetesMockClient(crud = true)
class SluiceTopicReconcilerTest {
    private static final String NS = "streaming";

    KubernetesClient client;
    private TopicApiStub brokers;
    private SluiceTopicReconciler reconciler;

    @BeforeEach
    void setUp() throws IOException {
        brokers = new TopicApiStub();
        client.resource(TestClusters.cluster(NS, "main", 3, "0.2.0")).create();
        reconciler = new SluiceTopicReconciler(client, new HttpTopicAdmin(), new BrokerEndpoints(brokers.uri().toString()));
    }

    @AfterEach
    void tearDown() {
        brokers.close();
    }

    @Test
    void createsTheTopicAndReportsIt() {
        SluiceTopic topic = topic("orders", 6, Map.of("retention.ms", "86400000"));
        topic.getSpec().setTopicName("orders.v1");
        SluiceTopicStatus status = reconcile(topic);

        TopicApiStub.Topic created = brokers.topics.get("orders.v1");
        assertEquals(6, created.partitions());
        assertEquals(3, created.replicationFactor());
        assertEquals(Map.of("retention.ms", "86400000"), created.config());
        assertEquals(created.id(), status.getTopicId());
        assertEquals(6, status.getPartitions());
        assertEquals(1L, status.getObservedGeneration());
        assertReady(status, "True", "TopicReady");
    }

    @Test
    void growsPartitionsAndMakesTheConfigurationTheSpecs() {
        reconcile(topic("clicks", 3, Map.of("retention.ms", "1000", "cleanup.policy", "compact")));
        // Someone sets an override by hand; the resource owns the configuration, so it goes.
        brokers.topics.computeIfPresent("clicks", (name, t) -> new TopicApiStub.Topic(t.id(), t.partitions(), t.replicationFactor(),
                Map.of("retention.ms", "1000", "cleanup.policy", "compact", "segment.bytes", "1048576")));

        SluiceTopicStatus status = reconcile(topic("clicks", 12, Map.of("retention.ms", "2000")));
        TopicApiStub.Topic grown = brokers.topics.get("clicks");
        assertEquals(12, grown.partitions());
        assertEquals(Map.of("retention.ms", "2000"), grown.config());
        assertEquals(12, status.getPartitions());
        assertReady(status, "True", "TopicReady");

        brokers.requests.clear();
        reconcile(topic("clicks", 12, Map.of("retention.ms", "2000")));
        assertEquals(1, brokers.requests.size(), "nothing to change, only a look: " + brokers.requests);
    }

    @Test
    void aShrinkOrAnotherReplicationFactorIsReportedNotApplied() {
        reconcile(topic("audit", 8, Map.of()));
        SluiceTopic smaller = topic("audit", 4, Map.of());
        smaller.getSpec().setReplicationFactor(2);
        SluiceTopicStatus status = reconcile(smaller);
        assertEquals(8, brokers.topics.get("audit").partitions());
        assertEquals(8, status.getPartitions());
        Condition ready = assertReady(status, "False", "SpecNotApplicable");
        assertTrue(ready.getMessage().contains("partitions cannot shrink"), ready.getMessage());
        assertTrue(ready.getMessage().contains("replicationFactor is fixed"), ready.getMessage());
    }

    @Test
    void anUnreachableOrMissingClusterIsACondition() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SluiceTopicReconciler unreachable = new SluiceTopicReconciler(client, new HttpTopicAdmin(),
                new BrokerEndpoints("http://127.0.0.1:" + closedPort));
        SluiceTopicStatus status = unreachable.reconcile(topic("lost", 1, Map.of()), null).getResource().orElseThrow().getStatus();
        assertReady(status, "False", "ClusterUnreachable");

        SluiceTopic elsewhere = topic("stray", 1, Map.of());
        elsewhere.getSpec().setCluster("no-such-cluster");
        assertReady(reconcile(elsewhere), "False", "ClusterNotFound");
        assertFalse(brokers.topics.containsKey("stray"));
    }

    @Test
    void deletingTheResourceKeepsTheTopicUnlessAnnotated() {
        SluiceTopic kept = topic("kept", 1, Map.of());
        reconcile(kept);
        assertTrue(reconciler.cleanup(kept, null).isRemoveFinalizer());
        assertTrue(brokers.topics.containsKey("kept"));

        SluiceTopic dropped = topic("dropped", 1, Map.of());
        dropped.getMetadata().setAnnotations(Map.of(SluiceTopic.DELETE_TOPIC_ANNOTATION, "true"));
        reconcile(dropped);
        assertTrue(reconciler.cleanup(dropped, null).isRemoveFinalizer());
        assertFalse(brokers.topics.containsKey("dropped"));
    }

    private SluiceTopicStatus reconcile(SluiceTopic topic) {
        return reconciler.reconcile(topic, null).getResource().orElseThrow().getStatus();
    }

    private static SluiceTopic topic(String name, int partitions, Map<String, String> config) {
        SluiceTopic topic = new SluiceTopic();
        topic.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).withGeneration(1L).build());
        topic.getSpec().setCluster("main");
        topic.getSpec().setPartitions(partitions);
        topic.getSpec().setReplicationFactor(3);
        topic.getSpec().setConfig(new java.util.LinkedHashMap<>(config));
        return topic;
    }

    private static Condition assertReady(SluiceTopicStatus status, String expected, String reason) {
        Condition ready = Conditions.find(status.getConditions(), "Ready").orElseThrow();
        assertEquals(expected, ready.getStatus(), ready.getMessage());
        assertEquals(reason, ready.getReason());
        return ready;
    }
}
