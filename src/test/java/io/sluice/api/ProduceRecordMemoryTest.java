package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.broker.MemoryBudget;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * A produce request is charged for the records it has, as they are parsed, not for the most a
 * body of its length could hold: a 1 MB body of 1 KB records takes its body's cost and a little,
 * and a body of many tiny records is refused once their memory does not fit.
 */
class ProduceRecordMemoryTest {
    private static byte[] body(int records, int valueBytes) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < records; i++) {
            b.append(i == 0 ? "" : ",").append("{\"value\":\"").append("x".repeat(valueBytes)).append("\"}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ProduceRequestParser parser(ProduceAdmission.Admission admission) {
        return new ProduceRequestParser(Format.STRING, Format.STRING, 100_000, admission::reserveRecords);
    }

    @Test
    void recordsAreChargedAsTheyAreParsedABlockAtATime() {
        MemoryBudget budget = new MemoryBudget("test", 64L * 1024 * 1024);
        ProduceAdmission.Admission admission = new ProduceAdmission.Admission(budget);
        byte[] body = body(1000, 1000);
        admission.tryReserve(ProduceAdmission.bodyCost(body.length));

        assertEquals(1000, parser(admission).parseBatch(body).size());
        assertEquals(ProduceAdmission.bodyCost(body.length)
                + ProduceRequestParser.RECORD_BLOCK * ProduceAdmission.PER_RECORD_COST, budget.usedBytes());
        admission.releaseAll();
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void manyTinyRecordsAreRefusedOnceTheirMemoryDoesNotFit() {
        MemoryBudget budget = new MemoryBudget("test", 2L * 1024 * 1024);
        ProduceAdmission.Admission admission = new ProduceAdmission.Admission(budget);
        byte[] body = body(20_000, 0);
        admission.tryReserve(ProduceAdmission.bodyCost(body.length));

        SluiceException refused = assertThrows(SluiceException.class, () -> parser(admission).parseBatch(body));
        assertEquals(ErrorCode.BROKER_BUSY, refused.code());
        admission.releaseAll();
        assertEquals(0, budget.usedBytes());
    }
}
