package io.sluice.api;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ConditionFactory;

/** Bounded waits that poll often, so that a test waits for a condition and not for a poll interval. */
final class Wait {
    private Wait() {
    }

    static ConditionFactory upTo(int seconds) {
        return upTo(Duration.ofSeconds(seconds));
    }

    static ConditionFactory upTo(Duration bound) {
        return await().atMost(bound).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }
}
