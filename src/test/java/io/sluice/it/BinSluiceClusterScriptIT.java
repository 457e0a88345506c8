package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * README's local cluster command, {@code bin/sluice-cluster}: it starts the shared object store
 * and three brokers on 127.0.0.11, .12 and .13 with the cluster settings of API.md, which form one
 * cluster under one prefix of the bucket; it returns once every broker is ready, and {@code stop}
 * stops them all. Ports and the directory are moved off
 * the defaults (8080, 7800, 9093, 9000, ./data) so that the test takes nothing a user may hold.
 */
class BinSluiceClusterScriptIT {
    private static final Path SCRIPT = Path.of("bin", "sluice-cluster");
    private static final int BROKERS = 3;
    private static final long SCRIPT_TIMEOUT_SECONDS = 180;

    @Test
    void startsAStoreAndThreeBrokersOnTheirOwnAddressesAndStopsThem() throws Exception {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT.toAbsolutePath() + " is not executable");
        Path dir = BrokerProcess.freshDataDir("BinSluiceClusterScriptIT");
        int httpPort = portFreeOnEveryBroker();
        int bindPort = portFreeOnEveryBroker();
        int replicationPort = portFreeOnEveryBroker();
        int s3Port = BrokerProcesses.freePort("127.0.0.1");
        Map<String, String> env = new LinkedHashMap<>();
        // The build under test is the one the package phase made: no second build inside this one.
        env.put("SLUICE_NO_BUILD", "1");
        env.put("SLUICE_LOCAL_DIR", dir.toString());
        env.put("SLUICE_LOCAL_HTTP_PORT", Integer.toString(httpPort));
        env.put("SLUICE_LOCAL_BIND_PORT", Integer.toString(bindPort));
        env.put("SLUICE_LOCAL_REPLICATION_PORT", Integer.toString(replicationPort));
        env.put("SLUICE_LOCAL_S3_PORT", Integer.toString(s3Port));
        try {
            Script start = run(env, "start", "-Xmx256m");
            assertEquals(0, start.exit, start.output);

            String members = "127.0.0.11:" + bindPort + ",127.0.0.12:" + bindPort + ",127.0.0.13:" + bindPort;
            for (int id = 0; id < BROKERS; id++) {
                String address = BrokerProcesses.address(id);
                long pid = Long.parseLong(Files.readString(dir.resolve("broker-" + id + ".pid")).strip());
                String command = String.join(" ", read("/proc/" + pid + "/cmdline").split("\0"));
                assertTrue(command.contains("-Dsluice.broker-id=" + id), command);
                assertTrue(command.contains("-Dquarkus.http.host=" + address), command);
                assertTrue(command.contains("-Dsluice.cluster.members=" + members), command);
                assertTrue(command.contains("-Dsluice.replication.port=" + replicationPort), command);
                assertTrue(command.contains("-Xmx256m -jar"), "JVM options go to every broker, last: " + command);
                assertTrue(command.contains("-Dsluice.cluster.bind-address=" + address), command);
                assertFalse(command.contains("sluice.tier.s3.prefix"), "one cluster, one prefix: " + command);
                String log = Files.readString(dir.resolve("broker-" + id + ".log"));
                assertTrue(log.contains("tier: bucket sluice at http://127.0.0.1:" + s3Port), log);
            }
            // One cluster: a topic created through broker 0 is served by every broker, and a record
            // produced through one is read through another.
            BrokerClient first = client(dir, 0, httpPort);
            first.createTopic("orders", 3, 3, Map.of());
            // A new topic's leader refuses records until it knows where the bucket's log ends
            // (ClusterRestartIT.aNewTopicTakesRecordsAtOnce): not what this test is about.
            for (int p = 0; p < 3; p++) {
                int partition = p;
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    JsonNode state = first.describe("orders").get("partitionStates").get(partition);
                    return client(dir, state.get("leader").asInt(), httpPort).describe("orders")
                            .get("partitionStates").get(partition).get("tierAvailable").asBoolean();
                });
            }
            for (int id = 0; id < BROKERS; id++) {
                BrokerClient client = client(dir, id, httpPort);
                assertEquals(3, client.describe("orders").get("partitionStates").get(0).get("isr").size());
                client.produceTo("orders", id, null, List.of("to broker " + id));
                BrokerClient other = client(dir, (id + 1) % BROKERS, httpPort);
                assertEquals("to broker " + id, other.fetchAll("orders", id, 0).get(0).value());
            }
            assertEquals(BROKERS, first.expect(200, "GET", "/cluster", null).json().get("brokers").size());
            Path definitions = dir.resolve("s3").resolve("sluice");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(definitions)
                    && listNames(definitions).equals(List.of("sluice")));
            Script status = run(env, "status");
            assertEquals(0, status.exit, status.output);

            Script stop = run(env, "stop");
            assertEquals(0, stop.exit, stop.output);
            assertFalse(Files.exists(dir.resolve("s3.pid")), "pid files are removed");
            Script after = run(env, "status");
            assertEquals(1, after.exit, after.output);
            assertEquals(BROKERS + 1, after.output.lines().filter(l -> l.endsWith("not running")).count(), after.output);
        } finally {
            run(env, "stop");
        }
    }

    private static BrokerClient client(Path dir, int id, int httpPort) {
        return new BrokerClient(BrokerProcess.on("script-broker-" + id, BrokerProcesses.address(id), httpPort,
                dir.resolve("broker-" + id), Map.of(), Map.of()));
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private record Script(int exit, String output) {
    }

    private static Script run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        // The brokers inherit no pipe of ours (the script sends their output to files), so this ends.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/sluice-cluster " + String.join(" ", args) + " did not return: " + output);
        }
        return new Script(process.exitValue(), output);
    }

    private static String read(String procFile) throws IOException {
        return new String(Files.readAllBytes(Path.of(procFile)), StandardCharsets.UTF_8);
    }

    /** A port free on 127.0.0.11, .12 and .13 at once: the script gives every broker the same one. */
    private static int portFreeOnEveryBroker() {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = BrokerProcesses.freePort(BrokerProcesses.address(0));
            if (bindable(BrokerProcesses.address(1), port) && bindable(BrokerProcesses.address(2), port)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free on all of 127.0.0.11-13 in 20 tries");
    }

    private static boolean bindable(String address, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
