package io.sluice.group;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Locale;

/** How a group hands partitions over when its assignment changes. Chosen by the group's first member. */
public enum RebalanceProtocol {
    /** Every member gives up every partition, then the new assignment is handed out. */
    EAGER,
    /** Only the partitions that move are given up; the others are read on without a pause. */
    COOPERATIVE;

    public static RebalanceProtocol parse(String name) {
        for (RebalanceProtocol p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
                return p;
            }
        }
        throw new SluiceException(ErrorCode.INVALID_REQUEST, "rebalance protocol must be eager or cooperative, was '"
                + name + "'");
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
