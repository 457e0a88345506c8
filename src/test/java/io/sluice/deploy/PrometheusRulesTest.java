package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts of {@code k8s/monitoring} as Prometheus evaluates them: {@code promtool check rules}
 * parses every expression, and {@code promtool test rules} runs {@code deploy/alerts-test.yaml},
 * series of a cluster losing a broker, against them. Skipped without promtool (Debian's
 * {@code prometheus} package has it), unless {@code SLUICE_REQUIRE_PROMTOOL=1}.
 */
class PrometheusRulesTest {
    @TempDir
    Path work;

    @Test
    void alertsParseAndFireOnABrokenCluster() throws Exception {
        requirePromtool();
        JsonNode rule = KustomizeRenderTest.parse(Files.readString(Path.of("k8s/monitoring/prometheusrule.yaml"))).stream()
                .filter(o -> "PrometheusRule".equals(o.path("kind").asText())).findFirst().orElseThrow();
        new ObjectMapper(new YAMLFactory()).writeValue(work.resolve("rules.yaml").toFile(), rule.path("spec"));
        try (InputStream tests = getClass().getResourceAsStream("/deploy/alerts-test.yaml")) {
            Files.copy(tests, work.resolve("alerts-test.yaml"), StandardCopyOption.REPLACE_EXISTING);
        }
        promtool("check", "rules", "rules.yaml");
        promtool("test", "rules", "alerts-test.yaml");
    }

    private void promtool(String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = "promtool";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + ":\n" + out);
    }

    private static void requirePromtool() {
        boolean available;
        try {
            Process version = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            available = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            available = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            available = false;
        }
        if (!available && "1".equals(System.getenv("SLUICE_REQUIRE_PROMTOOL"))) {
            fail("promtool is not on the PATH and SLUICE_REQUIRE_PROMTOOL=1");
        }
        Assumptions.assumeTrue(available, "promtool is not on the PATH: the alerts are not evaluated");
    }
}
