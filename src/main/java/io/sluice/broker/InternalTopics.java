package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.OffsetsTopic;

/**
 * Topics the brokers own: {@code __consumer_offsets}. Clients may read them, but not create,
 * produce to, delete, reconfigure or grow them; every such request is refused before anything
 * changes, at the broker's entry so that REST, WebSocket and any later path are covered alike.
 */
final class InternalTopics {
    private InternalTopics() {
    }

    static boolean isInternal(String topic) {
        return OffsetsTopic.NAME.equals(topic);
    }

    /** Throws INVALID_TOPIC when {@code topic} is internal; {@code what} names the refused operation. */
    static void refuseClientChange(String topic, String what) {
        if (isInternal(topic)) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic " + topic + " is internal: the group "
                    + "coordinators create and write it, clients may only read it (" + what + " refused; nothing "
                    + "changed)");
        }
    }
}
