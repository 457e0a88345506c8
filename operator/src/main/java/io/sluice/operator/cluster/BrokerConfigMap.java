package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.sluice.operator.crd.ObjectStoreSpec;
import io.sluice.operator.crd.SluiceCluster;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMap {@code <name>-config}: one properties file, {@value #PROPERTIES_KEY}, that the
 * brokers read as an extra configuration location. It holds what the operator derives from the
 * spec (cluster name, object store) and then {@code spec.config}, which wins on a clash. Values
 * that differ per pod (broker id, addresses, rack) and secrets are environment variables instead.
 */
public final class BrokerConfigMap {
    public static final String PROPERTIES_KEY = "sluice.properties";
    /** Where the ConfigMap is mounted in the broker container. */
    public static final String MOUNT_PATH = "/etc/sluice";

    private BrokerConfigMap() {
    }

    public static ConfigMap desired(SluiceCluster cluster) {
        return new ConfigMapBuilder()
                .withMetadata(ClusterLabels.metadata(cluster, ClusterLabels.configMapName(cluster)))
                .addToData(PROPERTIES_KEY, propertiesFile(properties(cluster)))
                .build();
    }

    /** The properties, sorted so that the file (and its hash) only changes when a value does. */
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

    /** A hash of the file: on the pod template, a change of configuration rolls the brokers. */
    public static String contentHash(SluiceCluster cluster) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(propertiesFile(properties(cluster)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static String propertiesFile(Map<String, String> properties) {
        StringBuilder file = new StringBuilder("# Written by sluice-operator from the SluiceCluster; edits are overwritten.\n");
        properties.forEach((key, value) -> file.append(escape(key, true)).append('=').append(escape(value, false)).append('\n'));
        return file.toString();
    }

    private static void putIfPresent(Map<String, String> properties, String key, String value) {
        if (value != null && !value.isBlank()) {
            properties.put(key, value);
        }
    }

    /** java.util.Properties escaping, so that any value reads back as written. */
    private static String escape(String text, boolean isKey) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '=', ':', '#', '!' -> escaped.append('\\').append(c);
                case ' ' -> escaped.append(isKey || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
