package io.sluice.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.sluice.operator.crd.SluiceCluster;
import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerConfigMapTest {

    @Test
    void objectStoreAndClusterNameThenTheSpecsConfigWhichWins() throws IOException {
        SluiceCluster cluster = TestClusters.stored("kafka", "events", 3, "0.2.0");
        cluster.getSpec().getObjectStore().setEndpoint("http://minio:9000");
        cluster.getSpec().getConfig().put("sluice.log.retention-ms", "86400000");
        cluster.getSpec().getConfig().put("sluice.tier.s3.region", "us-east-2");

        ConfigMap configMap = BrokerConfigMap.desired(cluster);
        assertEquals("events-config", configMap.getMetadata().getName());
        Properties properties = read(configMap);
        assertEquals("events", properties.getProperty("sluice.cluster.name"));
        assertEquals("sluice-data", properties.getProperty("sluice.tier.s3.bucket"));
        assertEquals("http://minio:9000", properties.getProperty("sluice.tier.s3.endpoint"));
        assertEquals("events/", properties.getProperty("sluice.tier.s3.prefix"));
        assertEquals("us-east-2", properties.getProperty("sluice.tier.s3.region"));
        assertEquals("86400000", properties.getProperty("sluice.log.retention-ms"));
    }

    @Test
    void anyValueReadsBackAsWritten() throws IOException {
        SluiceCluster cluster = TestClusters.stored("kafka", "events", 3, "0.2.0");
        String awkward = " leading space, = : # ! \\ tab\t newline\n ünïcode";
        cluster.getSpec().getConfig().put("sluice.odd key=x", awkward);
        Properties properties = read(BrokerConfigMap.desired(cluster));
        assertEquals(awkward, properties.getProperty("sluice.odd key=x"));
    }

    private static Properties read(ConfigMap configMap) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(configMap.getData().get(BrokerConfigMap.PROPERTIES_KEY)));
        return properties;
    }
}
