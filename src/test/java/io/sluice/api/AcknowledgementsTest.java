package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A frame is acknowledged once credit granted after the initial credit covers every record sent through it. */
class AcknowledgementsTest {
    private static ReadPosition position(int partition) {
        return new ReadPosition(new ConsumeRequest.Start("t", "id", partition, 0));
    }

    @Test
    void aFrameIsAcknowledgedOnceLaterCreditCoversIt() {
        Acknowledgements acks = new Acknowledgements();
        ReadPosition p0 = position(0);
        ReadPosition p1 = position(1);
        acks.sent(p0, 3, 13);   // records 1-3
        acks.sent(p1, 4, 24);   // records 4-7
        acks.sent(p0, 2, 15);   // records 8-9
        assertEquals(ReadPosition.NONE, p0.acknowledged);
        acks.granted(2);
        assertEquals(ReadPosition.NONE, p0.acknowledged, "2 of the first frame's 3 records");
        acks.granted(1);
        assertEquals(13, p0.acknowledged);
        assertEquals(ReadPosition.NONE, p1.acknowledged);
        acks.granted(5);
        assertEquals(24, p1.acknowledged);
        assertEquals(13, p0.acknowledged, "8 of 9: the last frame waits");
        acks.granted(1);
        assertEquals(15, p0.acknowledged);
        assertEquals(0, acks.pendingFrames());
    }

    @Test
    void aRemovedPartitionIsNotAcknowledgedLater() {
        Acknowledgements acks = new Acknowledgements();
        ReadPosition p = position(0);
        acks.sent(p, 5, 5);
        p.removed = true;
        acks.granted(5);
        assertEquals(ReadPosition.NONE, p.acknowledged);
        assertEquals(0, acks.pendingFrames());
    }

    @Test
    void pendingFramesAreBoundedByTheCreditOutstanding() {
        Acknowledgements acks = new Acknowledgements();
        ReadPosition p = position(0);
        long next = 0;
        // A client with an initial credit of 10 that grants one record per record received.
        for (int i = 0; i < 10; i++) {
            acks.sent(p, 1, ++next);
        }
        for (int i = 0; i < 10_000; i++) {
            acks.granted(1);
            acks.sent(p, 1, ++next);
            assertEquals(10, acks.pendingFrames());
        }
        assertEquals(next - 10, p.acknowledged);
    }

    @Test
    void creditGrantedAheadAcknowledgesAFrameAsItIsSent() {
        Acknowledgements acks = new Acknowledgements();
        ReadPosition p = position(0);
        acks.granted(100); // granted before anything was sent: covers the first 100 records
        acks.sent(p, 60, 60);
        assertEquals(60, p.acknowledged);
        acks.sent(p, 60, 120);
        assertEquals(60, p.acknowledged, "records 61-120: 100 granted do not cover them");
        acks.granted(20);
        assertEquals(120, p.acknowledged);
    }
}
