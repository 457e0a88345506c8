package io.sluice.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A seeded keyed workload and the model a compacted log is checked against: every record written,
 * by offset, so that what a reader gets can be compared with what was written at that offset, and
 * the latest record of each key.
 */
final class CompactionModel {
    /** What was written at each offset. */
    final ConcurrentSkipListMap<Long, Record> written = new ConcurrentSkipListMap<>();
    private final Random random;
    private final int keys;
    private final double tombstoneShare;

    CompactionModel(long seed, int keys, double tombstoneShare) {
        this.random = new Random(seed);
        this.keys = keys;
        this.tombstoneShare = tombstoneShare;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code count} random keyed records, in batches of 1 to 5, as a producer would. */
    void write(PartitionLog log, int count, long timestamp) {
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, 1 + random.nextInt(5));
            List<Record> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = "k" + random.nextInt(keys);
                byte[] value = random.nextDouble() < tombstoneShare ? null : utf8(key + "=" + random.nextInt(1_000_000));
                List<Header> headers = random.nextBoolean() ? List.of() : List.of(new Header("h", utf8("x" + i)));
                batch.add(new Record(utf8(key), value, timestamp + done + i, headers));
            }
            PartitionLog.AppendInfo info = Appends.committed(log, RecordBatchBuilder.build(batch)).join();
            for (int i = 0; i < n; i++) {
                written.put(info.baseOffset() + i, batch.get(i));
            }
            done += n;
        }
    }

    /** Every record below the high watermark from offset 0, checking that each read moves on. */
    static List<LogRecord> readAll(PartitionLog log) {
        List<LogRecord> all = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            PartitionLog.ReadResult r = log.read(next, 8 * 1024, 500);
            assertTrue(r.nextOffset() > next, "a read at " + next + " did not move on (next " + r.nextOffset() + ")");
            all.addAll(r.records());
            next = r.nextOffset();
        }
        return all;
    }

    /**
     * The records a log compacted up to {@code cleanedUpTo} must hold: every one at or above it, and
     * below it only the latest of its key among those below it (tombstones included).
     */
    List<Long> expectedOffsets(long cleanedUpTo) {
        Map<String, Long> latestBelow = new HashMap<>();
        for (Map.Entry<Long, Record> e : written.headMap(cleanedUpTo, false).entrySet()) {
            latestBelow.put(new String(e.getValue().key(), StandardCharsets.UTF_8), e.getKey());
        }
        List<Long> expected = new ArrayList<>();
        for (Map.Entry<Long, Record> e : written.entrySet()) {
            String key = new String(e.getValue().key(), StandardCharsets.UTF_8);
            if (e.getKey() >= cleanedUpTo || latestBelow.get(key).equals(e.getKey())) {
                expected.add(e.getKey());
            }
        }
        return expected;
    }

    /**
     * What holds for any state a crash may leave: every record read is the one written at its offset
     * (key, value, timestamp, headers), offsets increase, and each key's last record read is its latest.
     */
    void checkReadable(List<LogRecord> read) {
        long previous = -1;
        Map<String, Long> lastSeen = new HashMap<>();
        for (LogRecord r : read) {
            assertTrue(r.offset() > previous, "offset " + r.offset() + " after " + previous);
            previous = r.offset();
            Record w = written.get(r.offset());
            assertNotNull(w, "offset " + r.offset() + " was never written");
            assertArrayEquals(w.key(), r.key(), "key at " + r.offset());
            assertArrayEquals(w.value(), r.value(), "value at " + r.offset());
            assertEquals(w.timestamp(), r.timestamp(), "timestamp at " + r.offset());
            assertEquals(w.headers(), r.headers(), "headers at " + r.offset());
            lastSeen.put(new String(r.key(), StandardCharsets.UTF_8), r.offset());
        }
        Map<String, Long> latest = new HashMap<>();
        written.forEach((offset, w) -> latest.put(new String(w.key(), StandardCharsets.UTF_8), offset));
        assertEquals(latest, lastSeen, "the latest record of every key");
    }
}
