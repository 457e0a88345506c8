package io.sluice.api;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.sluice.broker.Broker;
import io.sluice.broker.ClusterView;
import io.sluice.broker.DrainStatus;
import io.sluice.error.ErrorCode;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /cluster}: the brokers of the cluster, which are alive and draining, which runs the
 * controller; {@code /cluster/brokers/{id}/drain}: hand a broker's leaderships to other in-sync
 * replicas before it stops (controlled shutdown), and give them back.
 */
@Path("/cluster")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "cluster", description = "Brokers, the controller, drains and partition reassignments")
public class ClusterResource {
    /** The longest a drain request waits for the leaderships to move. */
    static final long MAX_DRAIN_TIMEOUT_MS = 120_000;
    static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

    private final Broker broker;

    public ClusterResource(Broker broker) {
        this.broker = broker;
    }

    @GET
    @Operation(summary = "The cluster as this broker sees it",
            description = "Every registered broker with its client address, rack, liveness and drain, the controller,"
                    + " and the partitions under-replicated or offline")
    @APIResponse(responseCode = "200", description = "The cluster", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ClusterView.class)))
    public ClusterView cluster() {
        return broker.clusterView();
    }

    /*
     * The metadata write of a drain is a synchronous round trip to every broker: it runs on a worker
     * (@Blocking), and the wait for the leaderships to move is a future, so no thread waits with it.
     */
    @POST
    @Path("/brokers/{id}/drain")
    @Blocking
    @Operation(summary = "Drain a broker of its leaderships",
            description = "Marks the broker draining: the controller moves the leadership of every partition it leads"
                    + " to another in-sync replica (new leader epoch) and elects it nowhere while another in-sync"
                    + " replica is alive. Answers once it leads nothing, or after timeoutMs with the partitions it"
                    + " still leads (those with no other in-sync replica)")
    @APIResponse(responseCode = "200", description = "The drain", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DrainStatus.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad id or timeoutMs", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "BROKER_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "BROKER_BUSY: this broker may not change the cluster's metadata"
            + " now (not in its majority)", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DrainStatus> drain(@PathParam("id") String id,
            @Parameter(description = "How long to wait for the leaderships to move, 0 to 120000 ms (default 30000)")
            @QueryParam("timeoutMs") String timeoutMs) {
        int broker = brokerId(id);
        long timeout = Params.longParam(timeoutMs, "timeoutMs", 0, MAX_DRAIN_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS,
                ErrorCode.INVALID_REQUEST);
        return Uni.createFrom().completionStage(this.broker.drain(broker, timeout));
    }

    @DELETE
    @Path("/brokers/{id}/drain")
    @Blocking
    @Operation(summary = "End a broker's drain",
            description = "The broker may lead again; the controller gives it back the partitions it prefers to lead")
    @APIResponse(responseCode = "200", description = "The drain, ended", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DrainStatus.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad id", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "BROKER_NOT_FOUND", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "BROKER_BUSY: this broker may not change the cluster's metadata"
            + " now (not in its majority)", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public DrainStatus undrain(@PathParam("id") String id) {
        return broker.undrain(brokerId(id));
    }

    private static int brokerId(String raw) {
        return Params.intParam(raw, "id", 0, Integer.MAX_VALUE, null);
    }
}
