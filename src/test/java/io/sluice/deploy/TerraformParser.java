package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code terraform/test/parse.js}: HashiCorp's HCL parser (the npm package
 * {@code @cdktf/hcl2json}) over every {@code .tf} file under a directory, answering each file's JSON
 * and the references in its expressions. Needs {@code node} and {@code npm ci --prefix
 * terraform/test}; without them the calling test is skipped, unless {@code SLUICE_REQUIRE_NODE=1}
 * (CI), where it fails.
 */
final class TerraformParser {
    static final Path SCRIPT = Path.of("terraform/test/parse.js");
    private static final Path LIBRARY = Path.of("terraform/test/node_modules/@cdktf/hcl2json/package.json");
    private static final long TIMEOUT_SECONDS = 120;

    /** What a parse run answered: its exit code, stdout and stderr. */
    record Run(int exit, String stdout, String stderr) {
    }

    private TerraformParser() {
    }

    /** Skips the calling test when the parser cannot run, or fails it when it is required to. */
    static void assumeAvailable() {
        String reason = unavailableReason();
        if (reason != null && "1".equals(System.getenv("SLUICE_REQUIRE_NODE"))) {
            throw new AssertionError("SLUICE_REQUIRE_NODE=1 but the HCL parser cannot run: " + reason);
        }
        Assumptions.assumeTrue(reason == null, () -> "Terraform parse checks skipped: " + reason);
    }

    private static String unavailableReason() {
        if (!Files.isRegularFile(LIBRARY)) {
            return LIBRARY + " is missing: run `npm ci --prefix terraform/test`";
        }
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node.getInputStream().readAllBytes();
            if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
                return "`node --version` failed";
            }
        } catch (IOException e) {
            return "no node on PATH (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    /** Parses every .tf file under {@code root}; an unparsable file fails with the parser's message. */
    static JsonNode parse(Path root) throws IOException, InterruptedException {
        Run run = run(root);
        if (run.exit() != 0) {
            throw new AssertionError("node " + SCRIPT + " " + root + " exited " + run.exit() + ":\n" + run.stderr());
        }
        return new ObjectMapper().readTree(run.stdout());
    }

    static Run run(Path root) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("terraform-parse", ".stderr");
        try {
            // stderr goes to a file so that neither pipe can fill up and stall the other.
            Process process = new ProcessBuilder("node", SCRIPT.toString(), root.toString())
                    .redirectError(stderr.toFile())
                    .start();
            process.getOutputStream().close();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("node " + SCRIPT + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Run(process.exitValue(), stdout, Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
