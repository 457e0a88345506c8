package io.sluice.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How often the controller looks at the whole metadata without being told of a change, and how
 * long a preferred replica must have been in sync before leadership goes back to it.
 *
 * @param tick                    the period of the controller's full pass (events trigger extra ones)
 * @param preferredLeaderSettle   time in the ISR before a preferred replica is made leader again, so
 *                                a broker that has just returned is not handed leadership at once
 */
public record ControllerSettings(Duration tick, Duration preferredLeaderSettle) {
    public static final Duration DEFAULT_TICK = Duration.ofMillis(250);
    public static final Duration DEFAULT_PREFERRED_LEADER_SETTLE = Duration.ofSeconds(5);

    public ControllerSettings {
        Objects.requireNonNull(tick, "tick");
        Objects.requireNonNull(preferredLeaderSettle, "preferredLeaderSettle");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive, got " + tick);
        }
        if (preferredLeaderSettle.isNegative()) {
            throw new IllegalArgumentException("preferredLeaderSettle must not be negative, got "
                    + preferredLeaderSettle);
        }
    }

    public static ControllerSettings defaults() {
        return new ControllerSettings(DEFAULT_TICK, DEFAULT_PREFERRED_LEADER_SETTLE);
    }
}
