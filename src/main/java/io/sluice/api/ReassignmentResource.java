package io.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.broker.Broker;
import io.sluice.cluster.ReassignmentProgress;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /topics/{t}/reassignments}: move a topic's partitions to other brokers (scale out). The
 * new replicas catch up and join the ISR, leadership moves if the old leader is not among them,
 * then the old replicas are dropped.
 */
@Path("/topics/{topic}/reassignments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "cluster")
public class ReassignmentResource {
    private final Broker broker;
    private final ObjectMapper json;

    public ReassignmentResource(Broker broker, ObjectMapper json) {
        this.broker = broker;
        this.json = json;
    }

    @Schema(name = "Reassignments", description = "Each partition's replicas, the target of a move if one runs, "
            + "and the brokers being added and removed")
    public record Reassignments(List<ReassignmentProgress> partitions) {
    }

    @POST
    @Operation(summary = "Move partitions to other brokers",
            description = "Body: {\"partitions\":[{\"partition\":0,\"replicas\":[3,4,5]}]}; the replication factor is kept")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "202", description = "Accepted: the move runs in the background", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Reassignments.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST (unknown or dead broker, wrong replication"
            + " factor, duplicate broker, unknown partition)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response reassign(@PathParam("topic") String topic, byte[] body) {
        broker.topic(topic);
        broker.reassign(topic, targets(body));
        return Response.accepted(new Reassignments(broker.reassignments(topic))).build();
    }

    @GET
    @Operation(summary = "Progress of partition moves")
    @APIResponse(responseCode = "200", description = "Each partition's replicas and move", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Reassignments.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Reassignments progress(@PathParam("topic") String topic) {
        broker.topic(topic);
        return new Reassignments(broker.reassignments(topic));
    }

    private Map<Integer, List<Integer>> targets(byte[] body) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            throw invalid("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || root.size() != 1 || !root.path("partitions").isArray()
                || root.get("partitions").isEmpty()) {
            throw invalid("the body must be {\"partitions\":[{\"partition\":p,\"replicas\":[ids]}, ...]}");
        }
        Map<Integer, List<Integer>> targets = new LinkedHashMap<>();
        for (JsonNode entry : root.get("partitions")) {
            JsonNode p = entry.get("partition");
            JsonNode replicas = entry.get("replicas");
            if (!entry.isObject() || entry.size() != 2 || p == null || !p.canConvertToInt() || !p.isIntegralNumber()
                    || replicas == null || !replicas.isArray() || replicas.isEmpty()) {
                throw invalid("each entry must be {\"partition\":p,\"replicas\":[ids]}, was " + entry);
            }
            List<Integer> ids = new ArrayList<>();
            for (JsonNode id : replicas) {
                if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                    throw invalid("broker ids are whole numbers, was " + id);
                }
                ids.add(id.intValue());
            }
            if (targets.put(p.intValue(), ids) != null) {
                throw invalid("partition " + p.intValue() + " is named twice");
            }
        }
        return targets;
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
