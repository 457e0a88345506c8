package io.sluice.operator.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Broker processes of one cluster on one machine, as the broker build's process tests run them:
 * broker {@code i} on {@code 127.0.0.(first + i)} with its own ports and data dir under
 * {@code target/it-data}, every broker listed in {@code sluice.cluster.members} (also those not
 * started yet, so a broker added later joins the same cluster), and no object store traffic (tiering
 * off: these tests are about replication).
 */
final class TestCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final List<TestBroker> brokers = new ArrayList<>();

    private TestCluster() {
    }

    /**
     * Prepares {@code size} brokers on {@code 127.0.0.(firstOctet + i)}, launches the first {@code running}
     * together and waits until they are ready (brokers of a cluster may wait for a majority).
     */
    static TestCluster start(String name, int firstOctet, int size, int running, Map<String, String> extra) {
        TestCluster cluster = new TestCluster();
        try {
            List<String> addresses = IntStream.range(0, size).mapToObj(id -> "127.0.0." + (firstOctet + id)).toList();
            List<Integer> clusterPorts = addresses.stream().map(FreePorts::on).toList();
            String members = IntStream.range(0, size).mapToObj(id -> addresses.get(id) + ":" + clusterPorts.get(id))
                    .collect(Collectors.joining(","));
            for (int id = 0; id < size; id++) {
                String address = addresses.get(id);
                Map<String, String> props = new LinkedHashMap<>();
                props.put("sluice.broker-id", Integer.toString(id));
                props.put("sluice.cluster.name", name.toLowerCase());
                props.put("sluice.cluster.bind-address", address);
                props.put("sluice.cluster.bind-port", Integer.toString(clusterPorts.get(id)));
                props.put("sluice.cluster.members", members);
                props.put("sluice.replication.port", Integer.toString(FreePorts.on(address)));
                props.put("sluice.tier.enabled", "false");
                props.put("java.net.preferIPv4Stack", "true");
                props.putAll(extra);
                String brokerName = name + "-broker-" + id;
                cluster.brokers.add(new TestBroker(id, address, FreePorts.on(address), freshDir(brokerName), props,
                        brokerName));
            }
            List<TestBroker> first = cluster.brokers.subList(0, running);
            first.forEach(TestBroker::launch);
            cluster.awaitReady(first);
            return cluster;
        } catch (RuntimeException | Error e) {
            String tails = cluster.tails();
            cluster.close();
            throw new AssertionError(name + " did not start: " + tails, e);
        }
    }

    TestBroker broker(int id) {
        return brokers.get(id);
    }

    List<TestBroker> brokers() {
        return List.copyOf(brokers);
    }

    /** Every broker's HTTP address, started or not. */
    List<URI> uris() {
        return brokers.stream().map(TestBroker::uri).toList();
    }

    /** Launches broker {@code id} (not running yet) and waits until it is ready. */
    void launch(int id) {
        brokers.get(id).launch();
        awaitReady(List.of(brokers.get(id)));
    }

    private void awaitReady(List<TestBroker> these) {
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast("a broker exited", () -> these.stream().anyMatch(b -> !b.isAlive()))
                .until(() -> these.stream().allMatch(TestBroker::probeReady));
    }

    /** The end of every broker's output, for a failure report. */
    String tails() {
        StringBuilder out = new StringBuilder();
        for (TestBroker broker : brokers) {
            out.append("\n---- broker ").append(broker.id()).append(broker.isAlive() ? " (running)" : " (not running)")
                    .append(" ----\n").append(broker.tail(4096));
        }
        return out.toString();
    }

    @Override
    public void close() {
        brokers.forEach(TestBroker::close);
    }

    private static Path freshDir(String name) {
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
}
