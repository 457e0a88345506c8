package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.websockets.next.CloseReason;
import org.junit.jupiter.api.Test;

/** Only a close frame with a status code is a goodbye; a dropped connection leaves a group member in its group. */
class CloseReasonTest {
    @Test
    void aCloseFrameWithAStatusIsCleanAndADropIsNot() {
        assertTrue(ConsumeSocket.closedCleanly(CloseReason.NORMAL));
        assertTrue(ConsumeSocket.closedCleanly(new CloseReason(1001, "going away")));
        assertTrue(ConsumeSocket.closedCleanly(new CloseReason(4000, "application")));
        assertFalse(ConsumeSocket.closedCleanly(null), "still open or unknown");
        assertFalse(ConsumeSocket.closedCleanly(CloseReason.EMPTY), "Vert.x: no status (a dropped connection)");
        assertFalse(ConsumeSocket.closedCleanly(CloseReason.ABNORMAL), "1006: closed without a close frame");
    }
}
