package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a new user sees when the broker starts on the defaults: the lines that matter (tier, data
 * directory, listening address) and none of the embedded store's internals.
 */
class StartupOutputIT {

    @Test
    void startUpSaysWhatMattersAndNothingOfTheEmbeddedStore() {
        try (BrokerProcess broker = BrokerProcess.start("startup-output", BrokerProcess.freshDataDir("startup-output"),
                Map.of())) {
            broker.awaitReady();
            List<String> lines = broker.outputOfThisLaunch().lines().filter(l -> !l.isBlank()).toList();
            int listening = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("Listening on: http://")) {
                    listening = i;
                    break;
                }
            }
            String all = String.join("\n", lines);
            assertTrue(listening >= 0, all);
            for (String line : lines.subList(0, listening + 1)) {
                assertFalse(line.contains(" INFO ") && (line.contains("[or.ga.") || line.contains("jetty")),
                        () -> "the embedded store's internals at start:\n" + all);
            }
            assertTrue(lines.subList(0, listening).stream().anyMatch(l -> l.contains("tier:")), all);
            assertTrue(lines.subList(0, listening).stream().anyMatch(l -> l.contains("opened") && l.contains("from ")),
                    all);
            int before = listening;
            assertTrue(before <= 6, () -> "the listening address comes after " + before + " lines:\n" + all);
        }
    }
}
