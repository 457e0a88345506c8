package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;

/** When a produce is acknowledged, as Kafka's {@code acks}. */
public enum Acks {
    /** Before the append: the reply carries no offsets. */
    NONE,
    /** After the leader wrote the batch. */
    LEADER,
    /** After every in-sync replica has it; on one broker, after it is fsynced. */
    ALL;

    public static Acks parse(String value) {
        if (value == null) {
            return ALL;
        }
        return switch (value) {
            case "0" -> NONE;
            case "1" -> LEADER;
            case "all", "-1" -> ALL;
            default -> throw new SluiceException(ErrorCode.INVALID_REQUEST, "acks must be 0, 1 or all, was '"
                    + value + "'");
        };
    }
}
