package io.sluice.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /}: what this server is and where to go next, for a person who opens the base URL. */
@Path("/")
@Tag(name = "broker")
public class RootResource {
    private final Index index;

    public RootResource(@ConfigProperty(name = "quarkus.application.name") String name,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("topics", "/topics");
        links.put("openapi", "/q/openapi");
        links.put("swaggerUi", "/q/swagger-ui");
        links.put("health", "/q/health");
        links.put("metrics", "/q/metrics");
        this.index = new Index(name, version, links);
    }

    @Schema(name = "Index", description = "The server's name and version, and links to the API and its description")
    public record Index(@Schema(example = "sluice") String name, @Schema(example = "0.1.0") String version,
            @Schema(description = "Relative links: topics, openapi, swaggerUi, health, metrics")
            Map<String, String> links) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "What this server is", description = "Name, version and links to the API description")
    public Index index() {
        return index;
    }
}
