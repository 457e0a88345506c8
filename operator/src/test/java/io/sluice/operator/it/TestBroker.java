package io.sluice.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One broker of a test cluster as a real process of the packaged broker (system property
 * {@code sluice.runner}), on its own loopback address with fixed ports and data dir, so that a
 * restart brings back the same broker on the same disk. Output goes to
 * {@code target/it-logs/{name}.log}, each launch after a marker line.
 */
final class TestBroker implements AutoCloseable {
    /**
     * Several broker JVMs start at once on a small machine: the client compiler alone and the serial
     * collector start them in a fraction of the time C2 and parallel GC threads take.
     */
    private static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx384m";
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final int id;
    private final String address;
    private final int httpPort;
    private final Path dataDir;
    private final Map<String, String> properties;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private int launches;

    TestBroker(int id, String address, int httpPort, Path dataDir, Map<String, String> properties, String name) {
        this.id = id;
        this.address = address;
        this.httpPort = httpPort;
        this.dataDir = dataDir.toAbsolutePath();
        this.properties = Map.copyOf(properties);
        this.logFile = Path.of("target", "it-logs", name + ".log").toAbsolutePath();
    }

    int id() {
        return id;
    }

    URI uri() {
        return URI.create("http://" + address + ":" + httpPort);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the process and returns at once. */
    void launch() {
        if (isAlive()) {
            throw new IllegalStateException("broker " + id + " already runs (pid " + process.pid() + ")");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dsluice.data-dir=" + dataDir);
        command.add("-Dquarkus.http.host=" + address);
        command.add("-Dquarkus.http.port=" + httpPort);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(runner().toString());
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(dataDir);
            Files.writeString(logFile, "==== broker " + id + " launch #" + (++launches) + ": " + String.join(" ", command)
                    + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().put("JAVA_TOOL_OPTIONS", JVM_OPTIONS);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting broker " + id, e);
        }
    }

    /** {@code GET /q/health/ready} answers 200 now (1 s bound); false for a process that is down or frozen. */
    boolean probeReady() {
        if (!isAlive()) {
            return false;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(uri().resolve("/q/health/ready")).timeout(Duration.ofSeconds(1))
                    .GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM, as Kubernetes stops a pod's container, and waits for the exit; returns the exit code. */
    int terminate() {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                throw new AssertionError("broker " + id + " did not exit within " + EXIT_TIMEOUT + " of SIGTERM");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGSTOP: frozen with its sockets open, as in a long pause. */
    void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last {@code bytes} of every launch's output, for a failure report. */
    String tail(int bytes) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = Math.max(0, all.length - bytes);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Kills what still runs, a frozen process too (SIGKILL needs no SIGCONT). */
    @Override
    public void close() {
        if (isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path runner() {
        Path jar = Path.of(System.getProperty("sluice.runner", "../target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged broker at " + jar.toAbsolutePath()
                    + ": run `./mvnw -o -q package -DskipTests` at the repository root first");
        }
        return jar.toAbsolutePath();
    }
}
