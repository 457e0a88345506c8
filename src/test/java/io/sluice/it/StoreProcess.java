package io.sluice.it;

import static org.awaitility.Awaitility.await;

import io.sluice.tier.EmbeddedS3;
import io.sluice.tier.StandaloneS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The standalone object store ({@link StandaloneS3}) as a child process, run from the packaged
 * broker's class path exactly as {@code bin/sluice-cluster} runs it: the one bucket that the
 * broker processes of a test share. Its output goes to {@code target/it-logs/{name}.log}.
 */
public final class StoreProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final Path dir;
    private final Path logFile;
    private final Process process;
    private final URI endpoint;

    private StoreProcess(String name, Path dir, Path logFile, Process process, URI endpoint) {
        this.name = name;
        this.dir = dir;
        this.logFile = logFile;
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts a store over {@code dir} on a free port of 127.0.0.1 and waits until it serves. */
    public static StoreProcess start(String name, Path dir) {
        Path logFile = Path.of("target", "it-logs", name + ".log").toAbsolutePath();
        Path app = BrokerProcess.runner().getParent();
        String classPath = String.join(java.io.File.pathSeparator, app.resolve("app/*").toString(),
                app.resolve("lib/main/*").toString(), app.resolve("lib/boot/*").toString());
        List<String> command = List.of(BrokerProcess.javaExecutable(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classPath,
                StandaloneS3.class.getName(), dir.toAbsolutePath().toString(), "0");
        Process process;
        try {
            Files.createDirectories(logFile.getParent());
            Files.deleteIfExists(logFile);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting the object store " + name, e);
        }
        try {
            String ready = await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .failFast("object store process exited", () -> !process.isAlive())
                    .until(() -> readyLine(logFile), line -> line != null);
            // "sluice object store: serving DIR at http://127.0.0.1:PORT (access key ...)"
            String url = ready.substring(ready.indexOf(" at ") + " at ".length(), ready.indexOf(" (access key"));
            return new StoreProcess(name, dir, logFile, process, URI.create(url));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            process.destroyForcibly();
            throw new AssertionError("object store " + name + " did not start (" + e.getMessage() + "): "
                    + String.join(" ", command) + "\n" + tail(logFile), e);
        }
    }

    private static String readyLine(Path logFile) throws IOException {
        if (!Files.exists(logFile)) {
            return null;
        }
        return Files.readAllLines(logFile, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith(StandaloneS3.READY_LINE)).findFirst().orElse(null);
    }

    public URI endpoint() {
        return endpoint;
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    /** The broker settings that make a broker use this store, in {@code bucket}. */
    public Map<String, String> brokerProperties(String bucket) {
        return Map.of("sluice.tier.s3.endpoint", endpoint.toString(),
                "sluice.tier.s3.access-key", EmbeddedS3.ACCESS_KEY,
                "sluice.tier.s3.secret-key", EmbeddedS3.SECRET_KEY,
                "sluice.tier.s3.bucket", bucket);
    }

    public String tail() {
        return tail(logFile);
    }

    private static String tail(Path logFile) {
        try {
            String all = Files.readString(logFile, StandardCharsets.UTF_8);
            return all.substring(Math.max(0, all.length() - 4096));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
