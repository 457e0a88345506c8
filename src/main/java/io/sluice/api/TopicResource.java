package io.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.broker.Broker;
import io.sluice.broker.Partition;
import io.sluice.broker.Topic;
import io.sluice.broker.TopicConfig;
import io.sluice.broker.TopicMetadata;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import io.sluice.log.PartitionLog;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Topic administration (API.md): create, list, describe, change config, grow, delete. */
@Path("/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class TopicResource {
    private final Broker broker;
    private final ObjectMapper json;

    public TopicResource(Broker broker, ObjectMapper json) {
        this.broker = broker;
        this.json = json;
    }

    public record TopicSummary(String name, int partitions, int replicationFactor) {
    }

    public record PartitionState(int partition, int leader, int leaderEpoch, List<Integer> replicas,
            List<Integer> isr, long logStartOffset, long localLogStartOffset, long highWatermark, long logEndOffset,
            int segments, long sizeBytes, long tieredBytes, boolean tierAvailable) {
    }

    public record TopicDescription(String name, String id, int partitions, int replicationFactor,
            Map<String, String> config, Map<String, String> configOverrides, List<PartitionState> partitionStates) {
    }

    @POST
    public Response create(byte[] body) {
        JsonNode request = parseObject(body);
        requireOnly(request, List.of("name", "partitions", "replicationFactor", "config"));
        String name = text(request, "name");
        int partitions = wholeNumber(request, "partitions", 1);
        int replicationFactor = wholeNumber(request, "replicationFactor", 1);
        Map<String, String> config = configMap(request.get("config"), false);
        Topic topic = broker.createTopic(name, partitions, replicationFactor, config);
        return Response.status(201).entity(describe(topic)).build();
    }

    @GET
    public List<TopicSummary> list() {
        List<TopicSummary> topics = new ArrayList<>();
        for (Topic t : broker.topics()) {
            TopicMetadata m = t.metadata();
            topics.add(new TopicSummary(m.name(), m.partitions(), m.replicationFactor()));
        }
        topics.sort(Comparator.comparing(TopicSummary::name));
        return topics;
    }

    @GET
    @Path("/{topic}")
    public TopicDescription get(@PathParam("topic") String name) {
        return describe(broker.topic(name));
    }

    @PATCH
    @Path("/{topic}/config")
    public TopicDescription patchConfig(@PathParam("topic") String name, byte[] body) {
        broker.topic(name);
        JsonNode request = parseObject(body);
        // Accept both {"retention.ms":"1000"} and {"config":{"retention.ms":"1000"}}.
        JsonNode changes = request.size() == 1 && request.has("config") ? request.get("config") : request;
        return describe(broker.updateTopicConfig(name, configMap(changes, true)));
    }

    @POST
    @Path("/{topic}/partitions")
    public TopicDescription addPartitions(@PathParam("topic") String name, byte[] body) {
        broker.topic(name);
        JsonNode request = parseObject(body);
        requireOnly(request, List.of("count"));
        return describe(broker.addPartitions(name, wholeNumber(request, "count", null)));
    }

    @DELETE
    @Path("/{topic}")
    public Response delete(@PathParam("topic") String name) {
        broker.deleteTopic(name);
        return Response.noContent().build();
    }

    private TopicDescription describe(Topic topic) {
        TopicMetadata m = topic.metadata();
        List<PartitionState> states = new ArrayList<>();
        int brokerId = broker.config().brokerId();
        for (Partition p : topic.partitions()) {
            PartitionLog log = p.log();
            states.add(new PartitionState(p.id(), brokerId, 0, List.of(brokerId), List.of(brokerId),
                    p.logStartOffset(), p.localLogStartOffset(), p.highWatermark(), p.logEndOffset(),
                    log.segmentCount(), log.sizeInBytes(), p.tieredBytes(), p.tierAvailable()));
        }
        return new TopicDescription(m.name(), m.id(), m.partitions(), m.replicationFactor(),
                effectiveConfig(m.config()), m.config().overrides(), states);
    }

    private Map<String, String> effectiveConfig(TopicConfig config) {
        LogConfig log = config.toLogConfig(broker.config().logDefaults());
        Map<String, String> effective = new LinkedHashMap<>();
        effective.put(TopicConfig.SEGMENT_BYTES, Integer.toString(log.segmentBytes()));
        effective.put(TopicConfig.SEGMENT_MS, Long.toString(log.segmentMs()));
        effective.put(TopicConfig.RETENTION_MS, Long.toString(log.retentionMs()));
        effective.put(TopicConfig.RETENTION_BYTES, Long.toString(log.retentionBytes()));
        effective.put(TopicConfig.MAX_MESSAGE_BYTES, Integer.toString(log.maxMessageBytes()));
        effective.put(TopicConfig.MIN_INSYNC_REPLICAS, Integer.toString(config.minInsyncReplicas()));
        effective.put(TopicConfig.REMOTE_STORAGE_ENABLE, Boolean.toString(log.remoteStorage()));
        effective.put(TopicConfig.LOCAL_RETENTION_MS, Long.toString(log.localRetentionMs()));
        effective.put(TopicConfig.LOCAL_RETENTION_BYTES, Long.toString(log.localRetentionBytes()));
        effective.putAll(config.overrides());
        return effective;
    }

    private JsonNode parseObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid("the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw invalid("the request body must be a JSON object");
        }
        return node;
    }

    private static void requireOnly(JsonNode request, List<String> fields) {
        request.fieldNames().forEachRemaining(f -> {
            if (!fields.contains(f)) {
                throw invalid("unknown field '" + f + "'; expected " + fields);
            }
        });
    }

    private static String text(JsonNode request, String field) {
        JsonNode v = request.get(field);
        if (v == null || !v.isTextual()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static int wholeNumber(JsonNode request, String field, Integer fallback) {
        JsonNode v = request.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw invalid("'" + field + "' is required");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw invalid("'" + field + "' must be a whole number, was " + v);
        }
        return v.intValue();
    }

    /** Config values may be strings, numbers or booleans; null (in a PATCH) removes an override. */
    private static Map<String, String> configMap(JsonNode config, boolean allowNull) {
        Map<String, String> map = new LinkedHashMap<>();
        if (config == null || config.isNull()) {
            return map;
        }
        if (!config.isObject()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "'config' must be an object of strings");
        }
        config.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNull() && allowNull) {
                map.put(e.getKey(), null);
            } else if (v.isTextual() || v.isNumber() || v.isBoolean()) {
                map.put(e.getKey(), v.asText());
            } else {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "config '" + e.getKey()
                        + "' must be a string, number or boolean, was " + v.getNodeType());
            }
        });
        return map;
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
