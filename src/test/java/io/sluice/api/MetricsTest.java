package io.sluice.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What /q/metrics shows of Sluice: every meter explained, no meter left behind by a deleted topic. */
@QuarkusTest
class MetricsTest extends ApiTest {

    private String metrics() {
        HttpApi.Reply r = api.get("/q/metrics");
        assertEquals(200, r.status());
        return r.body();
    }

    @Test
    void everySluiceMeterHasAHelpText() {
        String topic = created("metrics-help-" + RUN);
        api.createTopic(topic, 1);
        api.produce(topic, "", "{\"records\":[{\"value\":1}]}");
        api.fetch(topic, 0, "?offset=0");
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("sluice_log_end_offset{"));
        List<String> help = metrics().lines().filter(l -> l.startsWith("# HELP sluice_")).toList();
        assertTrue(help.size() >= 10, help::toString);
        for (String cleaner : List.of("sluice_log_cleaner_runs_total", "sluice_log_cleaner_cleaned_bytes_total",
                "sluice_log_cleaner_failures_total")) {
            assertTrue(metrics().lines().anyMatch(l -> l.startsWith(cleaner + " ")), () -> "no " + cleaner);
        }
        for (String line : help) {
            String[] parts = line.split(" ", 4);
            assertTrue(parts.length == 4 && !parts[3].isBlank(), () -> "no HELP text: " + line);
        }
    }

    @Test
    void aDeletedTopicsMetersAreRemoved() {
        String topic = created("metrics-gone-" + RUN);
        api.createTopic(topic, 2);
        api.produce(topic, "", "{\"records\":[{\"value\":1},{\"value\":2}]}");
        api.fetch(topic, 0, "?offset=0");
        String tag = "topic=\"" + topic + "\"";
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("sluice_log_end_offset{" ));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().lines()
                .anyMatch(l -> l.startsWith("sluice_log_end_offset") && l.contains(tag)));
        assertTrue(metrics().lines().anyMatch(l -> l.startsWith("sluice_produce_records") && l.contains(tag)));
        assertEquals(204, api.delete("/topics/" + topic).status());
        // Removed at deletion; the periodic refresh must not bring any back either.
        List<String> left = metrics().lines().filter(l -> !l.startsWith("#") && l.contains(tag)).toList();
        assertTrue(left.isEmpty(), () -> "meters of the deleted topic: " + left);
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertFalse(
                metrics().contains(tag), "meters of the deleted topic came back"));
    }
}
