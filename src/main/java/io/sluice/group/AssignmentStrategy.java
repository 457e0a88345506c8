package io.sluice.group;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Locale;

/** How the coordinator splits a group's partitions between its members. Chosen by the group's first member. */
public enum AssignmentStrategy {
    /** Per topic, consecutive partitions to members in member-id order (Kafka's RangeAssignor). */
    RANGE,
    /** All partitions dealt to members in turn (Kafka's RoundRobinAssignor). */
    ROUNDROBIN,
    /** Balanced, moving as few partitions as it can from the current assignment (Kafka's sticky assignors). */
    STICKY;

    public static AssignmentStrategy parse(String name) {
        for (AssignmentStrategy s : values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
                return s;
            }
        }
        throw new SluiceException(ErrorCode.INVALID_REQUEST, "assignor must be range, roundrobin or sticky, was '"
                + name + "'");
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
