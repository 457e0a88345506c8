package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.ClusterView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /cluster}: the brokers of the cluster, which are alive, and which runs the controller. */
@Path("/cluster")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "cluster", description = "Brokers, the controller, and partition reassignments")
public class ClusterResource {
    private final Broker broker;

    public ClusterResource(Broker broker) {
        this.broker = broker;
    }

    @GET
    @Operation(summary = "The cluster as this broker sees it",
            description = "Every registered broker with its client address, rack and liveness, and the controller")
    @APIResponse(responseCode = "200", description = "The cluster", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ClusterView.class)))
    public ClusterView cluster() {
        return broker.clusterView();
    }
}
