package io.sluice.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.sluice.operator.crd.SluiceCluster;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigMapTest {

    @Test
    void objectStoreAndClusterNameThenTheSpecsConfigWhichWins() {
        SluiceCluster cluster = TestClusters.stored("kafka", "events", 3, "0.2.0");
        cluster.getSpec().getObjectStore().setEndpoint("http://minio:9000");
        cluster.getSpec().getConfig().put("sluice.log.retention-ms", "86400000");
        cluster.getSpec().getConfig().put("sluice.tier.s3.region", "us-east-2");

        ConfigMap configMap = BrokerConfigMap.desired(cluster);
        assertEquals("events-config", configMap.getMetadata().getName());
        assertEquals(Map.of(
                "SLUICE_CLUSTER_NAME", "events",
                "SLUICE_TIER_S3_BUCKET", "sluice-data",
                "SLUICE_TIER_S3_ENDPOINT", "http://minio:9000",
                "SLUICE_TIER_S3_PREFIX", "events/",
                "SLUICE_TIER_S3_REGION", "us-east-2",
                "SLUICE_LOG_RETENTION_MS", "86400000"), configMap.getData());
    }

    @Test
    void propertyNamesBecomeMicroProfileEnvironmentNames() {
        assertEquals("SLUICE_CLUSTER_SHUTDOWN_DRAIN_TIMEOUT_MS", BrokerConfigMap.environmentName("sluice.cluster.shutdown-drain-timeout-ms"));
        assertEquals("QUARKUS_LOG_LEVEL", BrokerConfigMap.environmentName("quarkus.log.level"));
        assertEquals("SLUICE_RACK", BrokerConfigMap.environmentName("SLUICE_RACK"));
    }
}
