package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * README's first command, {@code bin/sluice}, starts a broker: the script itself, with the JVM
 * options it documents as its arguments (a data dir and a port, so that it neither writes into the
 * repository's {@code ./data} nor takes port 8080). {@link NewUserPathIT} covers what the script
 * runs, {@code java -jar target/quarkus-app/quarkus-run.jar}, on the true defaults.
 */
class BinSluiceScriptIT {

    @Test
    void theStartScriptRunsTheBrokerWithTheJvmOptionsItIsGiven() {
        Path script = Path.of("bin", "sluice");
        assertTrue(Files.isExecutable(script), script.toAbsolutePath() + " is not executable");
        Path dataDir = BrokerProcess.freshDataDir("BinSluiceScriptIT");
        // The build is the one under test, made by the package phase before this test: the script must
        // not start another build inside this one when a test source is newer than the jar.
        try (BrokerProcess broker = BrokerProcess.startScript("BinSluiceScriptIT", script, dataDir, Map.of(),
                Map.of("SLUICE_NO_BUILD", "1"))) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic("orders", 3, Map.of());
            long[] offsets = client.produceTo("orders", 2, List.of("user-42"), List.of("first"));
            assertEquals(0, offsets[0]);
            assertEquals("first", client.fetchAll("orders", 2, 0).get(0).value());
            assertTrue(Files.isDirectory(SegmentFiles.partitionDir(dataDir, "orders", 2)),
                    "the broker keeps its logs under -Dsluice.data-dir=" + dataDir);
            int exit = broker.stop();
            // 143 = killed by SIGTERM; Quarkus exits 0 after a clean shutdown
            assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM to the process the script became: " + exit);
        }
    }
}
