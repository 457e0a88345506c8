package io.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.broker.Broker;
import io.sluice.broker.Topic;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.GroupDescription;
import io.sluice.group.GroupListing;
import io.sluice.group.MemberDescription;
import io.sluice.group.OffsetReset;
import io.sluice.group.PartitionLag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Consumer-group administration (API.md): list, describe with lag, reset committed offsets of a
 * group with no live members, delete an empty group. Each request is answered by the group's
 * coordinator through the broker, wherever it runs; nothing here blocks the event loop. A reset
 * body is checked whole (fields, topic, partitions) before anything is asked of the coordinator.
 */
@Path("/groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "groups", description = "Consumer groups: list, describe, reset offsets, delete")
public class GroupResource {
    /** A reset body is a few fields and a partition list: anything larger is not one. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    private final Broker broker;
    private final ObjectMapper json;

    public GroupResource(Broker broker, ObjectMapper json) {
        this.broker = broker;
        this.json = json;
    }

    @Schema(name = "GroupSummary")
    public record GroupSummary(@Schema(required = true) String groupId,
            @Schema(required = true, enumeration = {"EMPTY", "RECONCILING", "STABLE", "DEAD"}) String state,
            @Schema(required = true, description = "Live members") int members) {
    }

    @Schema(name = "GroupPartition", description = "A partition, by topic and number")
    public record Partition(@Schema(required = true) String topic, @Schema(required = true) int partition) {
    }

    @Schema(name = "GroupMember")
    public record Member(@Schema(required = true) String memberId,
            @Schema(required = true, description = "Address the member's client connects from") String clientHost,
            @Schema(required = true, description = "The group epoch of the member's last assignment") int memberEpoch,
            @Schema(required = true, description = "Partitions the member reads now") List<Partition> owned,
            @Schema(required = true, description = "Partitions it is to read once the rebalance ends")
            List<Partition> target) {
    }

    @Schema(name = "GroupOffset", description = "A group's position in one partition against the partition's end")
    public record Offset(@Schema(required = true) String topic, @Schema(required = true) int partition,
            @Schema(required = true, description = "Next offset the group reads; -1 when it has committed none")
            long committed,
            @Schema(required = true, description = "The partition's high watermark") long endOffset,
            @Schema(required = true, description = "endOffset - committed; -1 when nothing is committed") long lag) {
    }

    @Schema(name = "GroupDescription")
    public record Description(@Schema(required = true) String groupId,
            @Schema(required = true, enumeration = {"EMPTY", "RECONCILING", "STABLE", "DEAD"}) String state,
            @Schema(description = "eager or cooperative; absent with no members") String protocol,
            @Schema(description = "range, roundrobin or sticky; absent with no members") String strategy,
            @Schema(required = true, description = "Bumped at every change of membership or subscription")
            int groupEpoch,
            @Schema(required = true, description = "Broker id of the group's coordinator") int coordinator,
            @Schema(required = true, description = "Rebalances since the coordinator took the group") long rebalances,
            @Schema(required = true) List<Member> members, @Schema(required = true) List<Offset> offsets) {
    }

    @Schema(name = "CommittedOffsets")
    public record Committed(@Schema(required = true) List<CommittedEntry> offsets) {
    }

    @Schema(name = "CommittedOffset")
    public record CommittedEntry(@Schema(required = true) String topic, @Schema(required = true) int partition,
            @Schema(required = true, description = "The next offset the group reads") long offset) {
    }

    @GET
    @Operation(summary = "List consumer groups", description = "Every group of the cluster with members or offsets")
    @APIResponse(responseCode = "200", description = "The groups", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY,
            implementation = GroupSummary.class)))
    @APIResponse(responseCode = "503", description = "COORDINATOR_NOT_AVAILABLE", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> list() {
        return call(broker::listGroups).thenApply(groups -> {
            List<GroupSummary> summaries = new ArrayList<>();
            for (GroupListing g : groups) {
                summaries.add(new GroupSummary(g.groupId(), wire(g.state()), g.members()));
            }
            summaries.sort(Comparator.comparing(GroupSummary::groupId));
            return Response.ok(summaries).build();
        }).exceptionally(RecordResource::failure);
    }

    @GET
    @Path("/{group}")
    @Operation(summary = "Describe a consumer group",
            description = "State, protocol, strategy, members with their partitions, and per partition the"
                    + " committed offset, the end offset and the lag")
    @APIResponse(responseCode = "200", description = "The group", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Description.class)))
    @APIResponse(responseCode = "404", description = "GROUP_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> describe(@PathParam("group") String group) {
        return call(() -> broker.describeGroup(group)).thenApply(d -> Response.ok(describe(d)).build())
                .exceptionally(RecordResource::failure);
    }

    @POST
    @Path("/{group}/offsets")
    @Operation(summary = "Reset a group's committed offsets",
            description = "Body: {\"topic\":\"t\",\"to\":\"earliest\"|\"latest\"|{\"timestamp\":ms}|{\"offset\":n},"
                    + "\"partitions\":[0,1]} (partitions optional: every partition). The group must have no live"
                    + " members. An offset is clamped to [log start, high watermark]")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.ResetOffsets.class)))
    @APIResponse(responseCode = "200", description = "The offsets written", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Committed.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, INVALID_GROUP_ID", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND, PARTITION_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "GROUP_NOT_EMPTY: the group has live members", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "COORDINATOR_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> reset(@PathParam("group") String group, byte[] body) {
        ResetRequest request = parseReset(body);
        return call(() -> broker.resetGroupOffsets(group, request.topic(), request.to(), request.partitions()))
                .thenApply(written -> Response.ok(committed(written)).build())
                .exceptionally(RecordResource::failure);
    }

    @DELETE
    @Path("/{group}")
    @Operation(summary = "Delete a consumer group", description = "A group with no live members, and its committed offsets")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "GROUP_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "GROUP_NOT_EMPTY: the group has live members", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> delete(@PathParam("group") String group) {
        return call(() -> broker.deleteGroup(group)).thenApply(v -> Response.noContent().build())
                .exceptionally(RecordResource::failure);
    }

    /** A reset body, checked. {@code partitions} null means every partition of the topic. */
    record ResetRequest(String topic, OffsetReset to, List<Integer> partitions) {
    }

    ResetRequest parseReset(byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid("the request needs a JSON object body: {\"topic\",\"to\",\"partitions\"?}");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new SluiceException(ErrorCode.REQUEST_TOO_LARGE, "a reset body is at most " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable body: " + e.getMessage());
        }
        if (request == null || !request.isObject()) {
            throw invalid("the request body must be a JSON object");
        }
        List<String> fields = List.of("topic", "to", "partitions");
        request.fieldNames().forEachRemaining(f -> {
            if (!fields.contains(f)) {
                throw invalid("unknown field '" + Params.abbreviate(f) + "'; expected " + fields);
            }
        });
        if (!request.path("topic").isTextual()) {
            throw invalid("'topic' is required: a string");
        }
        Topic topic = broker.topic(request.get("topic").asText()); // TOPIC_NOT_FOUND before anything changes
        OffsetReset to = parseTo(request.get("to"));
        return new ResetRequest(topic.name(), to, parsePartitions(request.get("partitions"), topic.partitionCount()));
    }

    private static OffsetReset parseTo(JsonNode to) {
        if (to != null && to.isTextual()) {
            switch (to.asText()) {
                case "earliest" -> {
                    return new OffsetReset.Earliest();
                }
                case "latest" -> {
                    return new OffsetReset.Latest();
                }
                default -> {
                }
            }
        } else if (to != null && to.isObject() && to.size() == 1) {
            JsonNode timestamp = to.get("timestamp");
            JsonNode offset = to.get("offset");
            if (timestamp != null && timestamp.isIntegralNumber() && timestamp.canConvertToLong() && timestamp.asLong() >= 0) {
                return new OffsetReset.ToTimestamp(timestamp.asLong());
            }
            if (offset != null && offset.isIntegralNumber() && offset.canConvertToLong() && offset.asLong() >= 0) {
                return new OffsetReset.ToOffset(offset.asLong());
            }
        }
        throw invalid("'to' must be \"earliest\", \"latest\", {\"timestamp\": ms} or {\"offset\": n} (whole numbers >= 0)");
    }

    private static List<Integer> parsePartitions(JsonNode partitions, int count) {
        if (partitions == null || partitions.isNull()) {
            return null;
        }
        if (!partitions.isArray() || partitions.isEmpty()) {
            throw invalid("'partitions' must be a non-empty array of partition numbers, or absent for all");
        }
        Set<Integer> seen = new HashSet<>();
        List<Integer> list = new ArrayList<>();
        for (JsonNode p : partitions) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < 0) {
                throw invalid("'partitions' holds whole numbers >= 0, not " + Params.abbreviate(p.toString()));
            }
            if (p.asInt() >= count) {
                throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "partition " + p.asInt() + " does not exist;"
                        + " the topic has " + count);
            }
            if (!seen.add(p.asInt())) {
                throw invalid("partition " + p.asInt() + " is listed twice");
            }
            list.add(p.asInt());
        }
        return list;
    }

    private static Description describe(GroupDescription d) {
        List<Member> members = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            members.add(new Member(m.memberId(), m.clientHost(), m.memberEpoch(), partitions(m.owned()),
                    partitions(m.target())));
        }
        members.sort(Comparator.comparing(Member::memberId));
        List<Offset> offsets = new ArrayList<>();
        for (PartitionLag l : d.offsets()) {
            offsets.add(new Offset(l.topic(), l.partition(), l.committed(), l.endOffset(), l.lag()));
        }
        offsets.sort(Comparator.comparing(Offset::topic).thenComparingInt(Offset::partition));
        return new Description(d.groupId(), wire(d.state()), d.protocol() == null ? null : d.protocol().wireName(),
                d.strategy() == null ? null : d.strategy().wireName(), d.groupEpoch(), d.coordinator(), d.rebalances(),
                members, offsets);
    }

    private static List<Partition> partitions(Collection<TopicPartition> set) {
        List<Partition> list = new ArrayList<>();
        set.forEach(tp -> list.add(new Partition(tp.topic(), tp.partition())));
        list.sort(Comparator.comparing(Partition::topic).thenComparingInt(Partition::partition));
        return list;
    }

    private static Committed committed(Map<TopicPartition, CommittedOffset> written) {
        List<CommittedEntry> entries = new ArrayList<>();
        written.forEach((tp, c) -> entries.add(new CommittedEntry(tp.topic(), tp.partition(), c.offset())));
        entries.sort(Comparator.comparing(CommittedEntry::topic).thenComparingInt(CommittedEntry::partition));
        return new Committed(entries);
    }

    /** States are written as codes are (upper case); protocol and strategy as the query names them. */
    private static String wire(Enum<?> state) {
        return state.name();
    }

    /** The broker's future, with a synchronous refusal (bad group id) turned into a failed one. */
    private static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
