package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders each Kustomize directory of {@code k8s/} with {@code kubectl kustomize} and checks what
 * comes out against the broker ({@link ManifestChecker}, {@link AlertRules}). Without kubectl the
 * rendering tests are skipped, unless {@code SLUICE_REQUIRE_KUBECTL=1} (CI), where they fail;
 * the checks of the base's plain manifests and of the checker itself run either way.
 */
class KustomizeRenderTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static ApplicationFacts app;
    private static Set<String> brokerSeries;

    @BeforeAll
    static void readTheApplication() throws IOException {
        app = ApplicationFacts.read(ROOT);
        brokerSeries = AlertRules.brokerSeries(ROOT.resolve("src/main/java/io/sluice/api"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/dev", "k8s/overlays/prod"})
    void rendersAndAgreesWithTheBroker(String directory) throws Exception {
        List<JsonNode> objects = render(directory);
        assertEquals(1, ManifestChecker.brokerStatefulSets(objects).size(), directory + ": one broker StatefulSet");
        assertNoProblems(directory, ManifestChecker.check(app, objects));
        assertNoProblems(directory, AlertRules.check(objects, brokerSeries));
    }

    @Test
    void devIsOneBrokerOnTheEmbeddedStore() throws Exception {
        List<JsonNode> objects = render("k8s/overlays/dev");
        assertEquals(1, brokers(objects).path("spec").path("replicas").asInt());
        JsonNode config = named(objects, "ConfigMap", "sluice-config");
        assertFalse(config.path("data").has("SLUICE_TIER_S3_ENDPOINT"), "an endpoint turns the embedded store off");
    }

    @Test
    void prodIsThreeBrokersOnOneExternalBucketWithAlerts() throws Exception {
        List<JsonNode> objects = render("k8s/overlays/prod");
        assertEquals(3, brokers(objects).path("spec").path("replicas").asInt());
        JsonNode data = named(objects, "ConfigMap", "sluice-config").path("data");
        for (String key : List.of("SLUICE_TIER_S3_ENDPOINT", "SLUICE_TIER_S3_BUCKET", "SLUICE_TIER_S3_REGION")) {
            assertFalse(data.path(key).asText().isBlank(), key);
        }
        JsonNode container = brokers(objects).path("spec").path("template").path("spec").path("containers").get(0);
        for (String[] credential : new String[][] {{"SLUICE_TIER_S3_ACCESS_KEY", "access-key"}, {"SLUICE_TIER_S3_SECRET_KEY", "secret-key"}}) {
            JsonNode ref = envEntry(container, credential[0]).path("valueFrom").path("secretKeyRef");
            assertEquals("sluice-s3", ref.path("name").asText(), credential[0]);
            assertEquals(credential[1], ref.path("key").asText(), credential[0]);
        }
        assertFalse(objects.stream().noneMatch(o -> "PrometheusRule".equals(o.path("kind").asText())), "prod has the alerts");
    }

    /** The operator's overlay is another stream's; here it only has to render, wherever it exists. */
    @Test
    void operatorOverlayRenders() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ROOT.resolve("k8s/operator")), "k8s/operator does not exist yet");
        List<JsonNode> objects = render("k8s/operator");
        assertFalse(objects.isEmpty(), "k8s/operator renders no object");
        assertNoProblems("k8s/operator", ManifestChecker.check(app, objects));
    }

    /** The base is plain manifests, so the checker reads them without kubectl too. */
    @Test
    void baseManifestsAgreeWithTheBrokerWithoutKubectl() throws IOException {
        List<JsonNode> objects = baseFiles();
        assertEquals(1, ManifestChecker.brokerStatefulSets(objects).size());
        assertNoProblems("k8s/base/*.yaml", ManifestChecker.check(app, objects));
        assertNoProblems("k8s/monitoring/*.yaml", AlertRules.check(monitoringFiles(), brokerSeries));
    }

    @Test
    void theImageTheBuildProducesIsTheOneDeployed() {
        assertEquals("sluice/sluice:" + app.pomVersion(), app.image(), "quarkus.container-image.* and the pom version");
        assertEquals(app.image(), app.jibImage(), "the image-tar profile names the image as Quarkus does");
        assertEquals("185", app.jibUser());
        assertEquals(app.jibUser(), app.applicationProperties().getProperty("quarkus.jib.user"));
        List<Integer> ports = List.of(app.httpPort(), app.jgroupsPort(), app.failureDetectionPort(), app.replicationPort());
        assertEquals(ports, app.jibPorts(), "the image-tar profile exposes the broker's ports");
        assertEquals(ports.stream().map(String::valueOf).toList(),
                List.of(app.applicationProperties().getProperty("quarkus.jib.ports").split(",")), "quarkus.jib.ports");
    }

    @Test
    void environmentNamesMapAsSmallRyeConfigMapsThem() {
        ConfigProperties properties = app.properties();
        assertEquals(Optional.of("sluice.cluster.bind-address"), properties.propertyOfEnv("SLUICE_CLUSTER_BIND_ADDRESS"));
        assertEquals(Optional.of("sluice.log.cleaner.enable"), properties.propertyOfEnv("SLUICE_LOG_CLEANER_ENABLE"));
        assertEquals(Optional.of("sluice.tier.s3.access-key"), properties.propertyOfEnv("SLUICE_TIER_S3_ACCESS_KEY"));
        assertEquals(Optional.of("sluice.data-dir"), properties.propertyOfEnv("SLUICE_DATA_DIR"));
        assertEquals(Optional.empty(), properties.propertyOfEnv("SLUICE_FOO"));
        assertEquals(Optional.empty(), properties.propertyOfEnv("SLUICE_CLUSTER"), "a group is not a property");
        assertEquals("7800", properties.defaultOf("sluice.cluster.bind-port"));
        assertEquals("/q/health/live", app.livenessPath());
        assertEquals("/q/health/ready", app.readinessPath());
    }

    /** The checker is not a rubber stamp: each of these breaks, made to the base, is reported. */
    @ParameterizedTest
    @ValueSource(strings = {"unknown-env", "unknown-config-key", "probe-path", "probe-port", "data-dir", "dns-query",
            "service-target-port", "image", "broker-id", "advertised-host", "alert-metric"})
    void theCheckerReportsABrokenManifest(String breakage) throws IOException {
        List<JsonNode> objects = baseFiles();
        objects.addAll(monitoringFiles());
        JsonNode container = brokers(objects).path("spec").path("template").path("spec").path("containers").get(0);
        String expected = Breakages.apply(breakage, objects, container);
        List<String> problems = new ArrayList<>(ManifestChecker.check(app, objects));
        problems.addAll(AlertRules.check(objects, brokerSeries));
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                () -> breakage + ": expected a problem naming " + expected + ", got " + problems);
    }

    private static List<JsonNode> render(String directory) throws Exception {
        requireKubectl();
        Path errors = Files.createTempFile("kustomize", ".err");
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", directory).directory(ROOT.toFile())
                    .redirectError(errors.toFile()).start();
            String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kubectl.waitFor(60, TimeUnit.SECONDS)) {
                kubectl.destroyForcibly();
                fail("kubectl kustomize " + directory + " did not finish in 60 s");
            }
            String stderr = Files.readString(errors);
            assertEquals(0, kubectl.exitValue(), () -> "kubectl kustomize " + directory + ": " + stderr);
            return parse(out);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static void requireKubectl() {
        boolean available;
        try {
            Process version = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            available = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            available = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            available = false;
        }
        if (!available && "1".equals(System.getenv("SLUICE_REQUIRE_KUBECTL"))) {
            fail("kubectl is not on the PATH and SLUICE_REQUIRE_KUBECTL=1");
        }
        Assumptions.assumeTrue(available, "kubectl is not on the PATH: the overlays are not rendered (SLUICE_REQUIRE_KUBECTL=1 fails instead)");
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode doc = (JsonNode) documents.next();
                if (doc != null && doc.isObject()) {
                    objects.add(doc);
                }
            }
        }
        return objects;
    }

    private static List<JsonNode> filesOf(String directory) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve(directory))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).sorted().toList()) {
                objects.addAll(parse(Files.readString(file)));
            }
        }
        return objects;
    }

    private static List<JsonNode> baseFiles() throws IOException {
        return filesOf("k8s/base");
    }

    private static List<JsonNode> monitoringFiles() throws IOException {
        return filesOf("k8s/monitoring");
    }

    private static JsonNode brokers(List<JsonNode> objects) {
        return ManifestChecker.brokerStatefulSets(objects).get(0);
    }

    private static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()) && name.equals(ManifestChecker.name(o)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode envEntry(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError("no env " + name);
    }

    private static void assertNoProblems(String what, List<String> problems) {
        assertTrue(problems.isEmpty(), () -> what + ":\n  " + String.join("\n  ", problems));
    }
}
