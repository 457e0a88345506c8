package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terraform itself evaluates the provider-free parts of {@code modules/sluice}: the variables'
 * validation rules, on values they must accept and refuse; and
 * {@code modules/operator-manifests}, which turns the operator's kustomization into the objects
 * the module applies, once over a fixture with every case it must handle and once over the
 * repository's {@code k8s/operator}, whose CRD must then accept every SluiceCluster field the
 * module sets. Needs a {@code terraform} binary (no provider, no network); skipped without one
 * unless {@code SLUICE_REQUIRE_TERRAFORM=1}.
 */
class TerraformEvaluationTest {
    private static final Path VARIABLES = Path.of("terraform/modules/sluice/variables.tf");
    private static final Path SUBMODULE = Path.of("terraform/modules/sluice/modules/operator-manifests");
    private static final Path FIXTURE = Path.of("terraform/test/fixtures/operator");
    private static final Path REPOSITORY_OPERATOR = Path.of("k8s/operator");
    private static final String IMAGE = "registry.example/team/sluice/sluice-operator:9.9.9";
    private static final long TIMEOUT_SECONDS = 180;

    /** The SluiceCluster spec fields modules/sluice sets (TerraformModuleTest holds it to them). */
    private static final Map<String, Set<String>> SPEC_FIELDS_SET = Map.of(
            "", Set.of("replicas", "version", "image", "storage", "objectStore", "racks", "resources", "config"),
            "storage", Set.of("size", "className"),
            "objectStore", Set.of("bucket", "endpoint", "region", "prefix", "credentialsSecret"),
            "racks", Set.of("topologyKey"));

    @TempDir
    Path root;

    @Test
    void fixtureBecomesTheObjectsToApply() throws Exception {
        JsonNode out = evaluate(FIXTURE);
        assertEquals(List.of("crds/sluiceclusters.sluice.io-v1.yml", "crds/sluicetopics.sluice.io-v1.yml", "rbac.yml",
                "deployment.yml"), texts(out.path("files")));
        assertEquals(Set.of("CustomResourceDefinition/sluiceclusters.sluice.io", "CustomResourceDefinition/sluicetopics.sluice.io"),
                keys(out.path("crds")));
        assertEquals(Set.of("ServiceAccount/sluice-operator", "ClusterRole/sluice-operator"), keys(out.path("others")));
        assertEquals("team-a", out.at("/others/ServiceAccount~1sluice-operator/metadata/namespace").asText());
        assertTrue(out.at("/others/ClusterRole~1sluice-operator/metadata/namespace").isMissingNode(), "a ClusterRole has no namespace");

        JsonNode clusterBinding = out.at("/bindings/ClusterRoleBinding~1sluice-operator");
        assertTrue(clusterBinding.at("/metadata/namespace").isMissingNode());
        assertEquals("team-a", clusterBinding.at("/subjects/0/namespace").asText(), "was sluice-system in the file");
        assertTrue(clusterBinding.at("/subjects/1/namespace").isMissingNode(), "a Group subject has no namespace");
        assertEquals("team-a", out.at("/bindings/RoleBinding~1sluice-operator-leases/metadata/namespace").asText());

        JsonNode deployment = out.at("/deployments/Deployment~1sluice-operator");
        assertEquals("team-a", deployment.at("/metadata/namespace").asText());
        assertEquals(IMAGE, deployment.at("/spec/template/spec/containers/0/image").asText());
        assertEquals("busybox:1.36", deployment.at("/spec/template/spec/containers/1/image").asText(), "a sidecar keeps its image");
        assertEquals("JOSDK_ALL_NAMESPACES", deployment.at("/spec/template/spec/containers/0/env/0/value").asText());
    }

    @Test
    void disabledReadsNothing() throws Exception {
        JsonNode out = evaluate(FIXTURE, false);
        for (String group : List.of("crds", "others", "bindings", "deployments")) {
            assertEquals(0, out.path(group).size(), group);
        }
    }

    /** The operator as this repository ships it: what the module applies, and the CRD it creates. */
    @Test
    void repositoryOperatorFitsTheModule() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(REPOSITORY_OPERATOR.resolve("kustomization.yaml")),
                "no k8s/operator/kustomization.yaml in this checkout");
        JsonNode out = evaluate(REPOSITORY_OPERATOR);
        JsonNode crd = out.path("crds").path("CustomResourceDefinition/sluiceclusters.sluice.io");
        assertFalse(crd.isMissingNode(), () -> "no sluiceclusters.sluice.io CRD among " + keys(out.path("crds")));
        assertTrue(out.path("crds").has("CustomResourceDefinition/sluicetopics.sluice.io"), () -> keys(out.path("crds")).toString());
        assertEquals("sluice.io", crd.at("/spec/group").asText());
        assertEquals("SluiceCluster", crd.at("/spec/names/kind").asText());
        JsonNode version = null;
        for (JsonNode candidate : crd.at("/spec/versions")) {
            if (candidate.path("name").asText().equals("v1alpha1")) {
                version = candidate;
            }
        }
        assertTrue(version != null, "the CRD serves no v1alpha1");
        JsonNode spec = version.at("/schema/openAPIV3Schema/properties/spec/properties");
        List<String> missing = new ArrayList<>();
        SPEC_FIELDS_SET.forEach((parent, fields) -> {
            JsonNode properties = parent.isEmpty() ? spec : spec.path(parent).path("properties");
            fields.forEach(field -> {
                if (!properties.has(field)) {
                    missing.add((parent.isEmpty() ? "" : parent + ".") + field);
                }
            });
        });
        assertTrue(missing.isEmpty(), () -> "the SluiceCluster CRD has no field for " + missing);

        assertFalse(out.path("deployments").isEmpty(), "no operator Deployment");
        boolean operatorContainer = false;
        for (JsonNode deployment : out.path("deployments")) {
            for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
                operatorContainer |= container.path("image").asText().equals(IMAGE);
            }
        }
        assertTrue(operatorContainer, "no container of the operator's Deployment runs sluice/sluice-operator");
    }

    /** Values each variable's validation must refuse ({@code -var} syntax), beside a valid base. */
    private static final List<String> REFUSED = List.of(
            "bucket_name=My_Bucket", "bucket_name=ab", "bucket_name=a..b", "bucket_name=a-.b", "bucket_name=192.168.1.1",
            "bucket_name=xn--bucket", "bucket_name=bucket-s3alias",
            "bucket_prefix=/sluice", "bucket_prefix=sluice/", "bucket_prefix=a//b", "bucket_prefix=a*",
            "replicas=0", "replicas=2.5", "sluice_version=latest", "sluice_version=v1.0.0", "operator_version=1.0",
            "cluster_name=Sluice", "cluster_name=9lives", "namespace=Team_A", "broker_config={\"retention.ms\"=\"1\"}",
            "resources={\"requests\"={},\"claims\"={}}", "credentials=both", "image_registry=registry.example/",
            "storage_size=50GB", "oidc_provider_arn=arn:aws:iam::1:role/x", "kms_key_arn=alias/x", "s3_endpoint=http://s3.local",
            "incomplete_upload_days=0");
    private static final List<String> ACCEPTED = List.of(
            "replicas=1", "replicas=4", "sluice_version=0.2.0-SNAPSHOT", "bucket_prefix=team/sluice-a", "bucket_name=a.b-c.d",
            "image_registry=localhost:5000/team", "broker_config={\"sluice.tier.upload-concurrency\"=\"8\"}",
            "oidc_provider_arn=arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "kms_key_arn=arn:aws:kms:eu-west-1:123456789012:key/0000", "s3_endpoint=https://s3-fips.us-east-1.amazonaws.com");

    /** variables.tf alone is a provider-free module: planning it runs exactly the validation rules. */
    @Test
    void validationsRefuseWhatTheySayAndAcceptTheRest() throws Exception {
        assumeTerraform();
        Files.copy(VARIABLES, root.resolve("variables.tf"));
        terraform("init", "-input=false", "-no-color");
        List<String> wrong = new ArrayList<>();
        for (String value : REFUSED) {
            Result plan = plan(value);
            if (plan.exit() == 0 || !plan.output().contains("Invalid value for variable")) {
                wrong.add("accepted " + value + (plan.exit() == 0 ? "" : ": " + plan.output()));
            }
        }
        for (String value : ACCEPTED) {
            Result plan = plan(value);
            if (plan.exit() != 0) {
                wrong.add("refused " + value + ": " + plan.output());
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    private Result plan(String value) throws IOException, InterruptedException {
        return run("plan", "-input=false", "-no-color", "-lock=false", "-var", "sluice_version=0.1.0", "-var", "bucket_name=sluice-tier",
                "-var", value);
    }

    private JsonNode evaluate(Path manifests) throws IOException, InterruptedException {
        return evaluate(manifests, true);
    }

    /** Applies a root module that only calls the submodule (no provider, local state) and reads its outputs. */
    private JsonNode evaluate(Path manifests, boolean enabled) throws IOException, InterruptedException {
        assumeTerraform();
        Files.writeString(root.resolve("main.tf"), """
                module "manifests" {
                  source         = "%s"
                  enabled        = %s
                  manifests_dir  = "%s"
                  namespace      = "team-a"
                  operator_image = "%s"
                }

                output "all" {
                  value = module.manifests
                }
                """.formatted(SUBMODULE.toAbsolutePath(), enabled, manifests.toAbsolutePath(), IMAGE));
        terraform("init", "-input=false", "-no-color");
        terraform("apply", "-auto-approve", "-input=false", "-no-color");
        return new ObjectMapper().readTree(terraform("output", "-json", "-no-color", "all"));
    }

    private record Result(int exit, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private String terraform(String... arguments) throws IOException, InterruptedException {
        Result result = run(arguments);
        if (result.exit() != 0) {
            throw new AssertionError("terraform " + String.join(" ", arguments) + " exited " + result.exit() + ":\n" + result.output());
        }
        return result.stdout();
    }

    /** Runs terraform in the temporary root. */
    private Result run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("terraform", "-chdir=" + root));
        command.addAll(List.of(arguments));
        Path stderr = root.resolve("terraform.stderr");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().put("CHECKPOINT_DISABLE", "1");
        builder.environment().put("TF_IN_AUTOMATION", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), stdout, Files.readString(stderr));
    }

    private static void assumeTerraform() {
        String reason = null;
        try {
            Process version = new ProcessBuilder("terraform", "version").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            if (!version.waitFor(60, TimeUnit.SECONDS) || version.exitValue() != 0) {
                reason = "`terraform version` failed";
            }
        } catch (IOException e) {
            reason = "no terraform on PATH";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
        }
        if (reason != null && "1".equals(System.getenv("SLUICE_REQUIRE_TERRAFORM"))) {
            throw new AssertionError("SLUICE_REQUIRE_TERRAFORM=1 but " + reason);
        }
        String why = reason;
        Assumptions.assumeTrue(why == null, () -> "Terraform evaluation skipped: " + why);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static Set<String> keys(JsonNode object) {
        Set<String> keys = new TreeSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
