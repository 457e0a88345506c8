package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.sluice.operator.crd.ObjectStoreSpec;
import io.sluice.operator.crd.SluiceCluster;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMap {@code <name>-config}: the settings every broker of the cluster shares, as
 * environment variables the broker container takes whole ({@code envFrom}); {@code sluice.x.y}
 * is written {@code SLUICE_X_Y}, the name under which Quarkus reads it from the environment. It
 * holds what the operator derives from the spec (cluster name, object store) and then
 * {@code spec.config}, which wins on a clash. Values that differ per pod (broker id, addresses,
 * rack) and credentials are set on the container itself, and win over these.
 */
public final class BrokerConfigMap {

    private BrokerConfigMap() {
    }

    public static ConfigMap desired(SluiceCluster cluster) {
        return new ConfigMapBuilder()
                .withMetadata(ClusterLabels.metadata(cluster, ClusterLabels.configMapName(cluster)))
                .withData(environment(cluster))
                .build();
    }

    /** The shared settings as property names and values. */
    public static Map<String, String> properties(SluiceCluster cluster) {
        Map<String, String> properties = new TreeMap<>();
        // Brokers of different clusters in one network must not merge into one JGroups cluster.
        properties.put("sluice.cluster.name", cluster.getMetadata().getName());
        ObjectStoreSpec store = cluster.getSpec().getObjectStore();
        if (store != null) {
            putIfPresent(properties, "sluice.tier.s3.bucket", store.getBucket());
            putIfPresent(properties, "sluice.tier.s3.endpoint", store.getEndpoint());
            putIfPresent(properties, "sluice.tier.s3.region", store.getRegion());
            putIfPresent(properties, "sluice.tier.s3.prefix", store.getPrefix());
        }
        if (cluster.getSpec().getConfig() != null) {
            properties.putAll(cluster.getSpec().getConfig());
        }
        return properties;
    }

    /** The shared settings as the ConfigMap's data: environment variable names and values, sorted. */
    public static Map<String, String> environment(SluiceCluster cluster) {
        Map<String, String> environment = new TreeMap<>();
        // Derived values first, spec.config after: a property given in both forms resolves to one key.
        properties(cluster).forEach((property, value) -> environment.put(environmentName(property), value));
        return environment;
    }

    /** MicroProfile Config's environment name of a property: upper case, every other character '_'. */
    public static String environmentName(String property) {
        StringBuilder name = new StringBuilder(property.length());
        for (char c : property.toCharArray()) {
            name.append(Character.isLetterOrDigit(c) && c < 0x80 ? c : '_');
        }
        return name.toString().toUpperCase(Locale.ROOT);
    }

    /**
     * A hash of the settings: on the pod template, so that a change rolls the brokers (a pod
     * reads its environment once, at start).
     */
    public static String contentHash(SluiceCluster cluster) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            environment(cluster).forEach((key, value) -> {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(value.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            });
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void putIfPresent(Map<String, String> properties, String key, String value) {
        if (value != null && !value.isBlank()) {
            properties.put(key, value);
        }
    }
}
