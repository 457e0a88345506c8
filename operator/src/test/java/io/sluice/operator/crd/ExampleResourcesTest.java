package io.sluice.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The examples in k8s/operator/examples read as the operator's types, with no field it does not know. */
class ExampleResourcesTest {
    private static final Path EXAMPLES = Path.of("../k8s/operator/examples");
    private final YAMLMapper yaml = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Test
    void clusterExample() throws IOException {
        SluiceCluster cluster = yaml.readValue(EXAMPLES.resolve("sluicecluster.yaml").toFile(), SluiceCluster.class);
        assertEquals("sluice.io/v1alpha1", cluster.getApiVersion());
        assertEquals(3, cluster.getSpec().getReplicas());
        assertEquals("my-sluice-bucket", cluster.getSpec().getObjectStore().getBucket());
        assertNotNull(cluster.getSpec().getRacks());
        assertEquals("sluice/sluice:" + cluster.getSpec().getVersion(), cluster.getSpec().effectiveImage());
    }

    @Test
    void topicExample() throws IOException {
        SluiceTopic topic = yaml.readValue(EXAMPLES.resolve("sluicetopic.yaml").toFile(), SluiceTopic.class);
        assertEquals("events", topic.getSpec().getCluster());
        assertEquals("orders", topic.topicName());
        assertEquals(12, topic.getSpec().getPartitions());
    }
}
