package io.sluice.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Gives every operation of the document the error replies every request can get before or around
 * its resource ({@code api/HttpLimits}, the framework's refusals): each is a {@link Problem}, so a
 * generated client has one error type. Replies specific to an operation are annotated on it.
 */
public class OpenApiErrors implements OASFilter {
    static final String PROBLEM_REF = "#/components/schemas/Problem";

    private static final Map<String, String> EVERY_REQUEST = Map.of(
            "408", "The request body did not arrive within the body timeout",
            "413", "The request body is larger than the broker takes",
            "414", "The request URI is too long",
            "431", "The request headers are too large",
            "500", "The broker failed (STORAGE_ERROR, CORRUPT_RECORD)",
            "default", "Any other error, as a problem document with a stable code");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (PathItem path : openAPI.getPaths().getPathItems().values()) {
            for (Operation operation : path.getOperations().values()) {
                boolean hasBody = operation.getRequestBody() != null;
                EVERY_REQUEST.forEach((status, description) -> {
                    boolean aboutBody = status.equals("408") || status.equals("413");
                    if ((hasBody || !aboutBody) && operation.getResponses().getAPIResponse(status) == null) {
                        operation.getResponses().addAPIResponse(status, problem(description));
                    }
                });
            }
        }
    }

    private static APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description).content(OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(PROBLEM_REF))));
    }
}
