package io.sluice.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The operator's manifests in {@code k8s/operator/} against what this build generated in
 * {@code target/kubernetes/} (so it runs after {@code package}): the committed CRDs are the
 * generated ones byte for byte, the hand-written ClusterRole grants at least what the Quarkus
 * Operator SDK derived from the reconcilers, and the Deployment runs the image this build makes.
 */
class OperatorManifestsIT {
    private static final Path GENERATED = Path.of("target/kubernetes");
    private static final Path COMMITTED = Path.of("../k8s/operator");
    private static final List<String> CRD_FILES = List.of("sluiceclusters.sluice.io-v1.yml", "sluicetopics.sluice.io-v1.yml");
    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void committedCrdsAreTheGeneratedOnes() throws IOException {
        for (String file : CRD_FILES) {
            String generated = Files.readString(GENERATED.resolve(file));
            String committed = Files.readString(COMMITTED.resolve("crds").resolve(file));
            assertEquals(generated, committed, "k8s/operator/crds/" + file + " differs from the CRD generated from the Java types: "
                    + "copy operator/target/kubernetes/" + file + " over it");
        }
        String kustomization = Files.readString(COMMITTED.resolve("kustomization.yaml"));
        CRD_FILES.forEach(file -> assertTrue(kustomization.contains("crds/" + file), "kustomization.yaml lists " + file));
    }

    @Test
    void theClusterRoleGrantsWhatTheReconcilersNeed() throws IOException {
        Set<String> granted = grants(documents(COMMITTED.resolve("rbac.yaml")));
        Set<String> needed = grants(documents(GENERATED.resolve("kubernetes.yml")));
        needed.removeIf(granted::contains);
        // QOSDK asks create/delete on the primary resources; the operator never creates or deletes them.
        needed.removeIf(g -> g.startsWith("sluice.io/sluiceclusters ") || g.startsWith("sluice.io/sluicetopics "));
        needed.removeIf(g -> g.matches("sluice\\.io/sluice(clusters|topics)/(status|finalizers) (create|delete|list|watch|get|patch)"));
        assertTrue(needed.isEmpty(), "k8s/operator/rbac.yaml lacks " + needed);
    }

    @Test
    void theDeploymentRunsTheImageThisBuildMakes() throws IOException {
        JsonNode generatedDeployment = documents(GENERATED.resolve("kubernetes.yml")).stream()
                .filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        String version = generatedDeployment.path("metadata").path("labels").path("app.kubernetes.io/version").asText();
        JsonNode deployment = documents(COMMITTED.resolve("deployment.yaml")).get(0);
        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals("sluice/sluice-operator:" + version, container.path("image").asText());
        assertEquals("sluice-operator", deployment.path("spec").path("template").path("spec").path("serviceAccountName").asText());
        JsonNode binding = documents(COMMITTED.resolve("rbac.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("ClusterRoleBinding")).findFirst().orElseThrow();
        assertEquals("sluice-operator", binding.path("subjects").get(0).path("name").asText());
        assertEquals(deployment.path("metadata").path("namespace").asText(), binding.path("subjects").get(0).path("namespace").asText());
    }

    /** Every "group/resource verb" a set of manifests' ClusterRoles grant. */
    private static Set<String> grants(List<JsonNode> documents) {
        Set<String> grants = new TreeSet<>();
        for (JsonNode document : documents) {
            if (!document.path("kind").asText().equals("ClusterRole") || document.path("metadata").path("name").asText().equals("view")) {
                continue;
            }
            for (JsonNode rule : document.path("rules")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        for (JsonNode verb : rule.path("verbs")) {
                            grants.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                        }
                    }
                }
            }
        }
        return grants;
    }

    private List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(file.toFile())) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    documents.add(d);
                }
            });
        }
        return documents;
    }
}
