package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code terraform/}, checked without Terraform or a cloud: every {@code .tf} file parses with
 * HashiCorp's HCL parser, every reference resolves within its module, variables and outputs are
 * documented, providers are pinned, and the module says what the broker needs (the unconditioned
 * {@code s3:ListBucket} its start-up HeadBucket is authorised by, the images the build names).
 */
class TerraformModuleTest {
    private static final Path TERRAFORM = Path.of("terraform");
    private static final String MODULE = "modules/sluice";
    private static final String EXAMPLE = "examples/eks";
    private static final String WITHOUT_NODE = "without-node";

    private static Map<String, TerraformModule> modules;

    /** Parsed once for the class; each test needing it is skipped (or failed) without the parser. */
    @BeforeEach
    void parse(TestInfo test) throws IOException, InterruptedException {
        if (test.getTags().contains(WITHOUT_NODE)) {
            return;
        }
        TerraformParser.assumeAvailable();
        if (modules == null) {
            modules = TerraformModule.byDirectory(TerraformParser.parse(TERRAFORM));
        }
    }

    private static TerraformModule module() {
        return modules.get(MODULE);
    }

    @Test
    void everyTfFileIsParsed() throws IOException {
        Set<String> onDisk;
        try (Stream<Path> walk = Files.walk(TERRAFORM)) {
            onDisk = walk.filter(p -> p.toString().endsWith(".tf"))
                    .filter(p -> !p.toString().contains("node_modules") && !p.toString().contains(".terraform"))
                    .map(p -> TERRAFORM.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> parsed = modules.values().stream()
                .flatMap(m -> m.files.stream().map(f -> f.path("path").asText()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(onDisk, parsed);
        assertTrue(modules.keySet().containsAll(List.of(MODULE, EXAMPLE)), modules.keySet()::toString);
    }

    @Test
    void everyReferenceResolvesInItsModule() {
        List<String> unresolved = new ArrayList<>();
        modules.values().forEach(m -> m.unresolvedReferences().forEach(r -> unresolved.add(m.directory + ": " + r)));
        assertTrue(unresolved.isEmpty(), () -> "unresolved:\n" + String.join("\n", unresolved));
    }

    @Test
    void outputsReferOnlyToWhatExists() {
        for (TerraformModule m : modules.values()) {
            assertFalse(m.outputs.isEmpty(), m.directory + " has no outputs");
            List<TerraformModule.Reference> fromOutputs = m.references.stream()
                    .filter(r -> r.at().startsWith("output.")).toList();
            assertFalse(fromOutputs.isEmpty(), m.directory);
            List<TerraformModule.Reference> unresolved = m.unresolvedReferences().stream()
                    .filter(fromOutputs::contains).toList();
            assertTrue(unresolved.isEmpty(), unresolved::toString);
        }
        for (String output : List.of("bucket_name", "bucket_arn", "broker_role_arn", "namespace", "client_service_dns")) {
            assertTrue(module().outputs.containsKey(output), output);
        }
    }

    @Test
    void moduleCallsMatchTheModule() {
        List<String> found = new ArrayList<>();
        modules.values().forEach(m -> found.addAll(m.moduleCallMismatches(modules)));
        assertTrue(found.isEmpty(), () -> String.join("\n", found));
        assertTrue(modules.get(EXAMPLE).moduleCalls.values().stream()
                .anyMatch(call -> call.path("source").asText().equals("../../" + MODULE)));
    }

    @Test
    void variablesAndOutputsHaveTypesAndDescriptions() {
        List<String> found = new ArrayList<>();
        modules.values().forEach(m -> found.addAll(m.undocumentedVariables()));
        assertTrue(found.isEmpty(), () -> String.join("\n", found));
    }

    @Test
    void validationsReadOnlyTheirOwnVariable() {
        List<String> found = new ArrayList<>();
        modules.values().forEach(m -> found.addAll(m.validationsReadingOtherVariables()));
        assertTrue(found.isEmpty(), () -> String.join("\n", found));
        for (String name : List.of("cluster_name", "sluice_version", "replicas", "bucket_name", "bucket_prefix")) {
            assertTrue(module().variables.get(name).has("validation"), name + " has no validation");
        }
    }

    @Test
    void providersArePinned() {
        List<String> found = new ArrayList<>();
        modules.values().forEach(m -> found.addAll(m.unpinnedProviders()));
        assertTrue(found.isEmpty(), () -> String.join("\n", found));
        assertEquals(Set.of("aws", "kubernetes"), module().requiredProviders.keySet());
    }

    /**
     * The broker's start-up check is HeadBucket, which S3 authorises as {@code s3:ListBucket} on the
     * bucket with no {@code s3:prefix}: a prefix-conditioned grant alone leaves it 403.
     */
    @Test
    void brokerPolicyAllowsHeadBucketAndScopesObjectsToThePrefix() {
        JsonNode statements = module().dataSources.get("aws_iam_policy_document").get("broker").path("statement");
        String bucketArn = "${aws_s3_bucket.tier.arn}";
        boolean headBucket = false;
        boolean objects = false;
        for (JsonNode statement : statements) {
            Set<String> actions = texts(statement.path("actions"));
            Set<String> resources = texts(statement.path("resources"));
            if (actions.contains("s3:ListBucket") && !statement.has("condition") && resources.equals(Set.of(bucketArn))
                    && !"Deny".equals(statement.path("effect").asText())) {
                headBucket = true;
            }
            if (actions.contains("s3:GetObject")) {
                assertEquals(Set.of(bucketArn + "/${local.prefix}/*"), resources, "object actions outside the prefix");
                assertTrue(actions.containsAll(Set.of("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts")), actions::toString);
                objects = true;
            }
        }
        assertTrue(headBucket, "no unconditioned s3:ListBucket on the bucket ARN: the broker's HeadBucket would get 403");
        assertTrue(objects, "no object statement");
        assertTrue(module().locals.get("prefix").asText().contains("var.bucket_prefix"));
    }

    @Test
    void bucketIsPrivateEncryptedAndTlsOnly() {
        Map<String, Map<String, JsonNode>> resources = module().resources;
        JsonNode block = resources.get("aws_s3_bucket_public_access_block").get("tier");
        for (String setting : List.of("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")) {
            assertTrue(block.path(setting).asBoolean(), setting);
        }
        assertTrue(resources.containsKey("aws_s3_bucket_server_side_encryption_configuration"));
        assertTrue(resources.get("aws_s3_bucket_lifecycle_configuration").get("tier").path("rule").findValue("abort_incomplete_multipart_upload") != null);
        JsonNode bucketPolicy = module().dataSources.get("aws_iam_policy_document").get("bucket");
        boolean denyInsecure = false;
        for (JsonNode statement : bucketPolicy.path("statement")) {
            for (JsonNode condition : statement.path("condition")) {
                denyInsecure |= statement.path("effect").asText().equals("Deny")
                        && condition.path("variable").asText().equals("aws:SecureTransport")
                        && texts(condition.path("values")).equals(Set.of("false"));
            }
        }
        assertTrue(denyInsecure, "the bucket policy does not deny aws:SecureTransport=false");
        assertEquals("${data.aws_iam_policy_document.bucket.json}",
                resources.get("aws_s3_bucket_policy").get("tier").path("policy").asText());
    }

    /** Image names are the build's ({@code quarkus.container-image.group/name}), under an optional registry. */
    @Test
    void imagesAreTheOnesTheBuildNames() throws IOException {
        Properties application = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            application.load(reader);
        }
        String built = application.getProperty("quarkus.container-image.group") + "/"
                + application.getProperty("quarkus.container-image.name");
        assertEquals("sluice/sluice", built);
        assertEquals("${local.registry_prefix}" + built + ":${var.sluice_version}", module().locals.get("broker_image").asText());
        assertEquals("${local.registry_prefix}" + built + "-operator:${local.operator_version}",
                module().locals.get("operator_image").asText());
        Pattern image = Pattern.compile("\\bsluice/([a-z0-9-]+):");
        List<String> foreign = new ArrayList<>();
        modules.values().forEach(m -> m.strings().forEach((text, file) -> {
            Matcher matcher = image.matcher(text);
            while (matcher.find()) {
                if (!Set.of("sluice", "sluice-operator").contains(matcher.group(1))) {
                    foreign.add(file + ": " + matcher.group());
                }
            }
        }));
        assertTrue(foreign.isEmpty(), foreign::toString);
    }

    /** The SluiceCluster has the CRD's group, version and kind, and only spec fields the CRD has. */
    @Test
    void sluiceClusterFollowsTheCustomResource() {
        JsonNode manifest = module().resources.get("kubernetes_manifest").get("cluster").path("manifest");
        assertEquals("sluice.io/v1alpha1", manifest.path("apiVersion").asText());
        assertEquals("SluiceCluster", manifest.path("kind").asText());
        assertEquals("${local.cluster_spec}", manifest.path("spec").asText());
        String spec = module().locals.get("cluster_spec").asText().replaceAll("(?m)#.*$", "");
        Set<String> keys = new TreeSet<>();
        Matcher key = Pattern.compile("\\b([A-Za-z]+)\\s*=[^=]").matcher(spec);
        while (key.find()) {
            keys.add(key.group(1));
        }
        Set<String> specFields = Set.of("replicas", "version", "image", "storage", "size", "className", "objectStore",
                "bucket", "endpoint", "region", "prefix", "credentialsSecret", "racks", "topologyKey", "resources", "config");
        assertTrue(specFields.containsAll(keys), () -> "not SluiceCluster spec fields: " + minus(keys, specFields));
        assertTrue(keys.containsAll(Set.of("replicas", "version", "storage", "objectStore", "bucket", "endpoint",
                "region", "prefix", "credentialsSecret", "racks", "resources", "config")), keys::toString);
    }

    /** The operator comes from this repository's manifests unless told otherwise. */
    @Test
    void operatorManifestsDefaultToTheRepositorys() {
        String dir = module().locals.get("operator_dir").asText();
        Matcher fallback = Pattern.compile("\"\\$\\{path\\.module}/([^\"]+)\"").matcher(dir);
        assertTrue(fallback.find(), dir);
        Path resolved = TERRAFORM.resolve(MODULE).resolve(fallback.group(1)).normalize();
        assertEquals(Path.of("k8s/operator"), resolved);
    }

    /** The checker itself: a reference to nothing is reported, without node (an in-test parse answer). */
    @Test
    @Tag(WITHOUT_NODE)
    void checkerReportsAnUndeclaredVariable() throws IOException {
        JsonNode parsed = new ObjectMapper().readTree("""
                {"files": [{"path": "m/main.tf", "dir": "m",
                  "hcl": {"variable": {"known": [{"type": "${string}", "description": "d"}]},
                          "resource": {"aws_s3_bucket": {"b": [{"bucket": "${var.known}-${var.nope}"}]}}},
                  "references": [
                    {"at": "resource.aws_s3_bucket.b.0.bucket", "ref": "var.known"},
                    {"at": "resource.aws_s3_bucket.b.0.bucket", "ref": "var.nope"}]}]}
                """);
        List<String> unresolved = TerraformModule.byDirectory(parsed).get("m").unresolvedReferences().stream()
                .map(TerraformModule.Reference::ref).toList();
        assertEquals(List.of("var.nope"), unresolved);
    }

    /** The same through the real parser: HCL written here, references found by HCL's own traversal. */
    @Test
    void parserAndCheckerReportWhatASnippetGetsWrong(@TempDir Path root) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("m"));
        Files.writeString(root.resolve("m/main.tf"), """
                variable "known" {
                  type = string
                }
                locals {
                  names = [for s in ["a", "b"] : "${s}-${var.known}"]
                }
                resource "aws_s3_bucket" "b" {
                  bucket = "${var.known}-${var.nope}-${local.names[0]}-${local.gone}"
                  tags   = { "var.not_a_reference" = aws_s3_bucket.missing.arn }
                }
                output "arn" {
                  value = data.aws_caller_identity.none.arn
                }
                """);
        TerraformModule m = TerraformModule.byDirectory(TerraformParser.parse(root)).get("m");
        Set<String> unresolved = m.unresolvedReferences().stream().map(TerraformModule.Reference::ref)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("var.nope", "local.gone", "aws_s3_bucket.missing.arn", "data.aws_caller_identity.none.arn"),
                unresolved);
        assertEquals(List.of("m: variable known has no description", "m: output arn has no description"),
                m.undocumentedVariables());
        assertEquals(List.of("m: provider aws is not in required_providers", "m: no required_version"), m.unpinnedProviders());
    }

    @Test
    void aFileThatDoesNotParseIsNamed(@TempDir Path root) throws IOException, InterruptedException {
        Files.writeString(root.resolve("good.tf"), "variable \"a\" {\n  type = string\n}\n");
        Files.writeString(root.resolve("broken.tf"), "resource \"x\" \"y\" {\n  a = \n}\n");
        TerraformParser.Run run = TerraformParser.run(root);
        assertNotEquals(0, run.exit());
        assertTrue(run.stderr().contains("broken.tf"), run.stderr());
        assertFalse(run.stderr().contains("good.tf"), run.stderr());
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }
}
