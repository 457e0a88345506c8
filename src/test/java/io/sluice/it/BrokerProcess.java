package io.sluice.it;

import static org.awaitility.Awaitility.await;

import io.sluice.testing.FreePorts;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The packaged broker ({@code target/quarkus-app/quarkus-run.jar}, or the system property
 * {@code sluice.runner} that failsafe sets) as a real child process, for tests that need what only
 * a process gives: {@code kill -9}, a restart on the same disk, a clean JVM.
 *
 * <p>Each launch binds 127.0.0.1 on a fresh free port (so {@link #uri} changes across restarts),
 * or the address and port given to {@link #on}, and appends its output, after a marker line, to
 * {@code target/it-logs/{name}.log}; failures to become ready quote the tail of that launch's
 * output. {@link #close} kills what is still running, so a failed test never leaves a broker behind.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    /** Launches that lose the race for their free port are retried this often. */
    private static final int LAUNCH_ATTEMPTS = 3;

    /** The port README's users get. */
    static final int DEFAULT_PORT = 8080;
    private static final String LOOPBACK = "127.0.0.1";

    private final String name;
    /** The address HTTP binds to and {@link #uri} points at. */
    private final String host;
    private final Path dataDir;
    private final Map<String, String> properties;
    /** Where the process runs (null: this JVM's directory) and what it runs (null: the runner jar). */
    private final Path workDir;
    private final List<String> launcher;
    private final Map<String, String> environment;
    /** 0: a fresh free port per launch; else this port, every launch. */
    private final int fixedPort;
    /** As README's users run it: no data dir, host or port passed (the broker's own defaults). */
    private final boolean userDefaults;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private boolean paused;
    private int port;
    private long logOffset;
    private int launches;

    private BrokerProcess(String name, String host, Path dataDir, Map<String, String> properties, Path workDir,
            List<String> launcher, Map<String, String> environment, int fixedPort, boolean userDefaults) {
        this.name = name;
        this.host = host;
        this.dataDir = dataDir.toAbsolutePath();
        this.properties = new LinkedHashMap<>(properties);
        this.workDir = workDir;
        this.launcher = launcher;
        this.environment = Map.copyOf(environment);
        this.fixedPort = fixedPort;
        this.userDefaults = userDefaults;
        // Known before the first launch for a fixed port, so a client can point at a broker started elsewhere.
        this.port = fixedPort;
        this.logFile = Path.of("target", "it-logs", name + ".log").toAbsolutePath();
    }

    /** Starts a broker on {@code dataDir} with extra {@code -D} properties and waits until it is ready. */
    public static BrokerProcess start(String name, Path dataDir, Map<String, String> properties) {
        return startAndAwait(new BrokerProcess(name, LOOPBACK, dataDir, properties, null, null, Map.of(), 0, false));
    }

    /**
     * A broker that HTTP-binds {@code host:port} at every launch, with {@code -Dsluice.data-dir},
     * {@code properties} and {@code environment} added to this JVM's; not started: {@link #launch}
     * it, then {@link #awaitReady} (brokers of one cluster are launched together and awaited
     * together, as each may wait for the others before it is ready).
     */
    public static BrokerProcess on(String name, String host, int port, Path dataDir, Map<String, String> properties,
            Map<String, String> environment) {
        if (port <= 0) {
            throw new IllegalArgumentException("port=" + port + ": a broker of fixed address needs a fixed port");
        }
        return new BrokerProcess(name, host, dataDir, properties, null, null, environment, port, false);
    }

    /**
     * Starts the runner jar as README's users do, {@code java -jar quarkus-run.jar} in {@code workDir}
     * with no setting of ours: data under {@code ./data} (relative to {@code workDir}) and HTTP on
     * {@link #DEFAULT_PORT}. The one property passed, {@code extraProperties} aside, binds HTTP to
     * 127.0.0.1 instead of every interface, as tests on a shared machine must.
     */
    public static BrokerProcess startAsUser(String name, Path workDir, Map<String, String> extraProperties) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.host", "127.0.0.1");
        properties.putAll(extraProperties);
        Path dir = workDir.toAbsolutePath();
        return startAndAwait(new BrokerProcess(name, LOOPBACK, dir.resolve("data"), properties, dir, null, Map.of(),
                DEFAULT_PORT, true));
    }

    /**
     * Starts a broker through a start script (such as {@code bin/sluice}) that takes JVM options as
     * its arguments, with {@code -Dsluice.data-dir}, a free port on 127.0.0.1 and {@code properties},
     * and {@code environment} added to this JVM's.
     */
    public static BrokerProcess startScript(String name, Path script, Path dataDir, Map<String, String> properties,
            Map<String, String> environment) {
        return startAndAwait(new BrokerProcess(name, LOOPBACK, dataDir, properties, null,
                List.of(script.toAbsolutePath().toString()), environment, 0, false));
    }

    private static BrokerProcess startAndAwait(BrokerProcess broker) {
        try {
            broker.launchUntilReady();
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** An empty directory {@code target/it-data/{name}}, cleared of what an earlier run left. */
    public static Path freshDataDir(String name) {
        Path dir = Path.of("target", "it-data", name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("clearing " + dir, e);
        }
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://" + host + ":" + port + pathAndQuery);
    }

    public String host() {
        return host;
    }

    public String name() {
        return name;
    }

    /** The pid of the current (or last) launch. */
    public long pid() {
        requireLaunched("pid");
        return process.pid();
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL (ProcessHandle#destroyForcibly on Linux): no shutdown hook runs, nothing is flushed. */
    public void kill9() {
        requireAlive("kill9");
        process.toHandle().destroyForcibly();
        awaitExit("kill -9");
    }

    /**
     * SIGTERM: Quarkus shuts down gracefully (the broker closes and flushes every log). Returns the
     * exit code. A paused broker is resumed first, or the signal would wait for it for ever.
     */
    public int stop() {
        requireAlive("stop");
        if (paused) {
            resume();
        }
        process.toHandle().destroy();
        return awaitExit("graceful stop");
    }

    /**
     * SIGSTOP: the process freezes as a whole (a long GC pause, a VM migration): its sockets stay
     * open and the kernel still accepts connections into its backlog, but nothing answers.
     */
    public void pause() {
        requireAlive("pause");
        Signals.send(process.pid(), "STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause}: the process runs on from where it stopped. */
    public void resume() {
        requireAlive("resume");
        Signals.send(process.pid(), "CONT");
        paused = false;
    }

    public boolean isPaused() {
        return isAlive() && paused;
    }

    /** Stops the broker gracefully if it still runs, then starts it on the same data dir and waits until ready. */
    public BrokerProcess restart() {
        if (isAlive()) {
            stop();
        }
        launchUntilReady();
        return this;
    }

    /** Waits (bounded) until {@code GET /q/health/ready} answers 200; fails at once if the process dies. */
    public BrokerProcess awaitReady() {
        try {
            await().atMost(READY_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .failFast("broker process exited", () -> !process.isAlive())
                    .until(this::isReady);
            return this;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("broker " + name + " on " + host + ":" + port + " did not become ready ("
                    + e.getMessage() + "); output of this launch:\n" + outputOfThisLaunch(), e);
        }
    }

    private boolean isReady() {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2))
                    .GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    private void launchUntilReady() {
        for (int attempt = 1; ; attempt++) {
            launch();
            try {
                awaitReady();
                return;
            } catch (AssertionError e) {
                // Another process may have taken the free port between our probe and the broker's bind.
                boolean lostPort = fixedPort == 0 && !process.isAlive()
                        && outputOfThisLaunch().contains("already in use");
                if (!lostPort || attempt == LAUNCH_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Starts the process and returns at once; {@link #awaitReady} waits for it. */
    public void launch() {
        if (isAlive()) {
            throw new IllegalStateException("broker " + name + " is already running (pid " + process.pid() + ")");
        }
        List<String> command = new ArrayList<>(launcher == null ? List.of(javaExecutable()) : launcher);
        port = fixedPort != 0 ? fixedPort : freePort();
        if (!userDefaults) {
            command.add("-Dsluice.data-dir=" + dataDir);
            command.add("-Dquarkus.http.port=" + port);
            command.add("-Dquarkus.http.host=" + host);
        }
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (launcher == null) {
            command.add("-jar");
            command.add(runner().toString());
        }
        try {
            Files.createDirectories(logFile.getParent());
            String marker = "==== " + name + " launch #" + (++launches) + " at " + host + ":" + port
                    + (workDir == null ? "" : " in " + workDir) + " : " + String.join(" ", command)
                    + System.lineSeparator();
            Files.writeString(logFile, marker, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            logOffset = Files.size(logFile);
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            paused = false;
        } catch (IOException e) {
            throw new UncheckedIOException("starting broker " + name, e);
        }
    }

    private int awaitExit(String how) {
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("broker " + name + " did not exit within " + EXIT_TIMEOUT + " of " + how
                        + "; output:\n" + outputOfThisLaunch());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    private void requireLaunched(String action) {
        if (process == null) {
            throw new IllegalStateException("cannot " + action + " broker " + name + ": it was never launched");
        }
    }

    private void requireAlive(String action) {
        if (!isAlive()) {
            throw new IllegalStateException("cannot " + action + " broker " + name + ": it is not running");
        }
    }

    /** The last {@code bytes} of everything every launch wrote (markers included). */
    public String tail(int bytes) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = Math.max(0, all.length - bytes);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** What the current (or last) launch wrote, the last 8 KiB of it at most. */
    public String outputOfThisLaunch() {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.max(logOffset, all.length - 8192L);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

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

    static Path runner() {
        Path jar = Path.of(System.getProperty("sluice.runner", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged broker at " + jar.toAbsolutePath()
                    + ": run `./mvnw package` first (failsafe sets -Dsluice.runner)");
        }
        return jar.toAbsolutePath();
    }

    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() {
        return FreePorts.pair();
    }
}
