package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Mistakes of the kind the manifests are checked for, each made to a copy of the base in place:
 * {@link #apply} breaks one and answers the text the checker's report must contain.
 */
final class Breakages {
    private Breakages() {
    }

    static String apply(String breakage, List<JsonNode> objects, JsonNode brokerContainer) {
        ObjectNode container = (ObjectNode) brokerContainer;
        switch (breakage) {
            case "unknown-env" -> {
                ((ArrayNode) container.path("env")).addObject().put("name", "SLUICE_FOO").put("value", "1");
                return "SLUICE_FOO";
            }
            case "unknown-config-key" -> {
                ((ObjectNode) configMap(objects).path("data")).put("SLUICE_CLUSTER_BIND_PORTS", "7800");
                return "SLUICE_CLUSTER_BIND_PORTS";
            }
            case "probe-path" -> {
                ((ObjectNode) container.path("livenessProbe").path("httpGet")).put("path", "/health/live");
                return "livenessProbe path /health/live";
            }
            case "probe-port" -> {
                ((ObjectNode) container.path("readinessProbe").path("httpGet")).put("port", "admin");
                return "readinessProbe port admin";
            }
            case "data-dir" -> {
                ((ObjectNode) KustomizeRenderTest.envEntry(container, "SLUICE_DATA_DIR")).put("value", "/data");
                return "SLUICE_DATA_DIR /data";
            }
            case "dns-query" -> {
                ((ObjectNode) KustomizeRenderTest.envEntry(container, "SLUICE_CLUSTER_DNS_QUERY"))
                        .put("value", "sluice.$(POD_NAMESPACE).svc.cluster.local");
                return "is not its serviceName";
            }
            case "service-target-port" -> {
                for (JsonNode o : objects) {
                    if ("Service".equals(o.path("kind").asText())) {
                        ((ObjectNode) o.path("spec").path("ports").get(0)).put("targetPort", "web");
                    }
                }
                return "targetPort web";
            }
            case "image" -> {
                container.put("image", "sluice/sluice:0.1.0");
                return "image sluice/sluice:0.1.0";
            }
            case "broker-id" -> {
                ((ObjectNode) KustomizeRenderTest.envEntry(container, "SLUICE_BROKER_ID").path("valueFrom").path("fieldRef"))
                        .put("fieldPath", "metadata.name");
                return "SLUICE_BROKER_ID comes from metadata.name";
            }
            case "advertised-host" -> {
                ((ObjectNode) KustomizeRenderTest.envEntry(container, "SLUICE_CLUSTER_ADVERTISED_HOST")).remove("valueFrom");
                return "SLUICE_CLUSTER_ADVERTISED_HOST comes from";
            }
            case "alert-metric" -> {
                for (JsonNode o : objects) {
                    if ("PrometheusRule".equals(o.path("kind").asText())) {
                        ((ObjectNode) o.path("spec").path("groups").get(0).path("rules").get(0))
                                .put("expr", "sum(sluice_offline_partitions) > 0");
                    }
                }
                return "sluice_offline_partitions";
            }
            default -> throw new IllegalArgumentException(breakage);
        }
    }

    private static JsonNode configMap(List<JsonNode> objects) {
        return objects.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())).findFirst().orElseThrow();
    }
}
