package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Object keys: by topic id, short whatever the name, unique per upload, never built from anything else. */
class TierLayoutTest {
    private final TierLayout layout = new TierLayout("sluice");
    private final String id = UUID.randomUUID().toString();

    @Test
    void segmentKeysCarryTheIdAndTheUploadAndStayShort() {
        RemoteSegment a = new RemoteSegment(40, 80, 0, RemoteSegment.newUploadId(), 1, 100, 2);
        RemoteSegment b = new RemoteSegment(40, 80, 0, RemoteSegment.newUploadId(), 1, 100, 2);
        String key = layout.segmentKey(id, 9999, a, TierLayout.TIME_INDEX);
        assertEquals("sluice/" + id + "/9999/00000000000000000040-0-" + a.uploadId() + ".timeindex", key);
        assertTrue(key.length() < 120, key);
        assertTrue(!key.equals(layout.segmentKey(id, 9999, b, TierLayout.TIME_INDEX)), "two uploads, two keys");
        assertEquals(a, RemoteSegment.parse(a.toBytes(), key));
    }

    @Test
    void definitionsAndTombstonesAreFoundByIdOnly() {
        assertEquals(id, layout.topicIdOf(layout.topicKey(id)));
        assertEquals(id, layout.tombstonedIdOf(layout.tombstoneKey(id)));
        assertNull(layout.topicIdOf("sluice/@topics/orders.topic"), "a name-keyed definition is not a topic id");
        assertNull(layout.topicIdOf("sluice/@topics/../x.topic"));
    }

    @Test
    void aKeyIsNeverBuiltFromSomethingThatIsNotAnId() {
        assertThrows(IllegalArgumentException.class, () -> layout.topicPrefix("../../etc"));
        assertThrows(IllegalArgumentException.class, () -> layout.topicPrefix("orders"));
        assertThrows(IllegalArgumentException.class, () -> layout.topicKey(id.toUpperCase()));
    }
}
