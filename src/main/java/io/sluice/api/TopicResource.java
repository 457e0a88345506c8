package io.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.broker.Broker;
import io.sluice.broker.PartitionInfo;
import io.sluice.broker.Topic;
import io.sluice.broker.TopicConfig;
import io.sluice.broker.TopicMetadata;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Topic administration (API.md): create, list, describe, change config, grow, delete. */
@Path("/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "topics", description = "Create, list, describe, configure, grow and delete topics")
public class TopicResource {
    private final Broker broker;
    private final ObjectMapper json;
    private final LogMetrics metrics;

    public TopicResource(Broker broker, ObjectMapper json, LogMetrics metrics) {
        this.broker = broker;
        this.json = json;
        this.metrics = metrics;
    }

    @Schema(name = "TopicSummary")
    public record TopicSummary(@Schema(required = true) String name, @Schema(required = true) int partitions,
            @Schema(required = true) int replicationFactor) {
    }

    @Schema(name = "PartitionState", description = "One partition's leader and offsets")
    public record PartitionState(@Schema(required = true) int partition,
            @Schema(required = true, description = "Broker id of the leader") int leader,
            @Schema(required = true, description = "The epoch stamped into every batch the leader writes")
            int leaderEpoch,
            @Schema(required = true) List<Integer> replicas, @Schema(required = true) List<Integer> isr,
            @Schema(required = true, description = "First offset stored, remote or local") long logStartOffset,
            @Schema(required = true, description = "First offset stored on the broker's disk") long localLogStartOffset,
            @Schema(required = true) long highWatermark, @Schema(required = true) long logEndOffset,
            @Schema(required = true, description = "Local segments") int segments,
            @Schema(required = true, description = "Bytes of local segments") long sizeBytes,
            @Schema(required = true, description = "Bytes uploaded to the tier") long tieredBytes,
            @Schema(required = true, description = "False while the tier's list of this partition's segments is"
                    + " not loaded: reads below localLogStartOffset answer TIER_UNAVAILABLE") boolean tierAvailable) {
    }

    @Schema(name = "TopicDescription")
    public record TopicDescription(@Schema(required = true) String name,
            @Schema(required = true, description = "Unique id, new for each topic of the same name") String id,
            @Schema(required = true, description = "The partition count") int partitions,
            @Schema(required = true) int replicationFactor,
            @Schema(required = true, description = "Effective config: broker defaults and overrides")
            Map<String, String> config,
            @Schema(required = true, description = "Only what was set on this topic") Map<String, String> configOverrides,
            @Schema(required = true) List<PartitionState> partitionStates) {
    }

    @POST
    @Operation(summary = "Create a topic")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.CreateTopic.class)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicDescription.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, INVALID_TOPIC, INVALID_CONFIG,"
            + " INVALID_PARTITIONS, UNKNOWN_PARTITIONER", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "TOPIC_ALREADY_EXISTS", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
    @Operation(summary = "List topics", description = "Every topic, by name")
    @APIResponse(responseCode = "200", description = "The topics", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY,
            implementation = TopicSummary.class)))
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
    @Operation(summary = "Describe a topic", description = "Config and per-partition state")
    @APIResponse(responseCode = "200", description = "The topic", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicDescription.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TopicDescription get(@PathParam("topic") String name) {
        return describe(broker.topic(name));
    }

    @PATCH
    @Path("/{topic}/config")
    @Operation(summary = "Change a topic's config", description = "Sets or (with null) removes overrides")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.ConfigChanges.class)))
    @APIResponse(responseCode = "200", description = "The topic as changed", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicDescription.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, INVALID_CONFIG", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TopicDescription patchConfig(@PathParam("topic") String name, byte[] body) {
        broker.topic(name);
        JsonNode request = parseObject(body);
        // Accept both {"retention.ms":"1000"} and {"config":{"retention.ms":"1000"}}.
        JsonNode changes = request.size() == 1 && request.has("config") ? request.get("config") : request;
        return describe(broker.updateTopicConfig(name, configMap(changes, true)));
    }

    @POST
    @Path("/{topic}/partitions")
    @Operation(summary = "Grow a topic's partition count")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.GrowPartitions.class)))
    @APIResponse(responseCode = "200", description = "The topic as grown", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicDescription.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, INVALID_PARTITIONS (not larger, over the"
            + " limit)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(
            implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TopicDescription addPartitions(@PathParam("topic") String name, byte[] body) {
        broker.topic(name);
        JsonNode request = parseObject(body);
        requireOnly(request, List.of("count"));
        return describe(broker.addPartitions(name, wholeNumber(request, "count", null)));
    }

    @DELETE
    @Path("/{topic}")
    @Operation(summary = "Delete a topic", description = "Its local and its remote data")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("topic") String name) {
        broker.deleteTopic(name);
        metrics.topicDeleted(name);
        return Response.noContent().build();
    }

    private TopicDescription describe(Topic topic) {
        TopicMetadata m = topic.metadata();
        List<PartitionState> states = new ArrayList<>();
        for (PartitionInfo p : broker.partitionInfos(m.name())) {
            states.add(new PartitionState(p.partition(), p.leader(), p.leaderEpoch(), p.replicas(), p.isr(),
                    p.logStartOffset(), p.localLogStartOffset(), p.highWatermark(), p.logEndOffset(), p.segments(),
                    p.sizeBytes(), p.tieredBytes(), p.tierAvailable()));
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
        effective.put(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(config.messageTimestampBeforeMaxMs()));
        effective.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(config.messageTimestampAfterMaxMs()));
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
