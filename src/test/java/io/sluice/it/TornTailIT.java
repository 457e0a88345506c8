package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.BrokerClient.Fetched;
import io.sluice.it.BrokerClient.Reply;
import io.sluice.it.SegmentFiles.Batch;
import io.sluice.log.RecoveryCheckpoints;
import io.sluice.log.RecoveryPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Invariant 3 of DESIGN.md against a real process: after {@code kill -9} the files are damaged by
 * hand, then the broker restarts on them.
 * <ul>
 *   <li>partition {@value #TORN}: the active segment is cut inside its last batch (a torn write).
 *       Recovery truncates to the last whole batch; the log end offset moves back to it.</li>
 *   <li>partition {@value #GARBAGE}: bytes that start like a batch header (the right next offset,
 *       a length that fits) followed by random bytes are appended to the active segment. Recovery
 *       finds the CRC wrong and cuts them off; nothing that was acknowledged is lost.</li>
 *   <li>partition {@value #CORRUPT}: one byte inside the records of the first batch of a closed
 *       segment is flipped. Closed segments are not rescanned on start (recovery time must not grow
 *       with the log), so the broker comes up; a fetch covering that batch fails with 500
 *       {@code CORRUPT_RECORD} (the CRC check before decoding), never with the bad bytes, while
 *       later batches and segments are served.</li>
 * </ul>
 * Kafka's {@code FileRecords} confirms that what is left on disk is whole, valid v2 batches.
 */
class TornTailIT {
    private static final long SEED = Long.getLong("sluice.it.seed", 20261125L);
    private static final String TOPIC = "torn";
    private static final int TORN = 0;
    private static final int GARBAGE = 1;
    private static final int CORRUPT = 2;
    private static final int HEADER = 3;
    private static final int PARTITIONS = 4;
    /** More fetches than the broker has fetch threads (one per core, at least two). */
    private static final int REPEATED_FETCHES = 2 * Runtime.getRuntime().availableProcessors() + 2;
    private static final int RECORDS_PER_BATCH = 10;
    /** The flipped byte: past the 61-byte v2 batch header, so inside the first record. */
    private static final int FLIP_POSITION = 70;
    private static final int BATCH_HEADER_LENGTH = 61;
    /** The batch length field: after the 8-byte base offset. */
    private static final int LENGTH_FIELD_POSITION = 8;
    /**
     * The broker indexes a batch every 4 KiB; an active segment past three intervals has several
     * index entries, so recovery starts from an index entry rather than from the file's start.
     */
    private static final int ACTIVE_SEGMENT_MIN_BYTES = 3 * 4096 + 1;

    private final Random random = new Random(SEED);
    private long seq;

    @Test
    void tornGarbageAndCorruptSegmentsAfterKill9() throws IOException {
        System.out.println("TornTailIT seed=" + SEED + " (rerun with -Dsluice.it.seed=" + SEED + ")");
        Path dataDir = BrokerProcess.freshDataDir("TornTailIT");
        // A short maintenance interval writes the recovery points soon after the last produce.
        try (BrokerProcess broker = BrokerProcess.start("TornTailIT", dataDir,
                Map.of("sluice.log.maintenance-interval-ms", "100"))) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic(TOPIC, PARTITIONS, Map.of("segment.bytes", "32768"));
            List<List<Fetched>> produced = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                produced.add(produceUntilClosedAndLargeActiveSegment(client, dataDir, p));
            }
            // The damage to closed segments below is meant to lie below the recovery point, where a
            // start trusts what was fsynced and only reads find it: wait until the checkpoint covers it.
            Path checkpoint = dataDir.resolve(RecoveryCheckpoints.FILE_NAME);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (!Files.exists(checkpoint)) {
                    return false;
                }
                Map<String, RecoveryPoint> points = RecoveryCheckpoints.readFile(checkpoint);
                for (int p = 0; p < PARTITIONS; p++) {
                    RecoveryPoint point = points.get(TOPIC + "-" + p);
                    if (point == null || point.nextOffset() < produced.get(p).size()) {
                        return false;
                    }
                }
                return true;
            });
            broker.kill9();

            // Partition TORN: cut the active segment inside its last batch.
            Path tornFile = last(SegmentFiles.logFiles(SegmentFiles.partitionDir(dataDir, TOPIC, TORN)));
            byte[] tornOriginal = Files.readAllBytes(tornFile);
            Batch tornBatch = last(SegmentFiles.batches(tornFile));
            int cut = tornBatch.position() + 1 + random.nextInt(tornBatch.size() - 1);
            try (FileChannel ch = FileChannel.open(tornFile, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            System.out.printf("torn: %s cut from %d to %d bytes, inside the batch at %d (offsets %d..%d)%n",
                    tornFile.getFileName(), tornOriginal.length, cut, tornBatch.position(), tornBatch.baseOffset(),
                    tornBatch.lastOffset());

            // Partition GARBAGE: append a plausible header (next offset, fitting length) and random bytes.
            Path garbageFile = last(SegmentFiles.logFiles(SegmentFiles.partitionDir(dataDir, TOPIC, GARBAGE)));
            byte[] garbageOriginal = Files.readAllBytes(garbageFile);
            byte[] garbage = new byte[100 + random.nextInt(400)];
            random.nextBytes(garbage);
            ByteBuffer.wrap(garbage).putLong(0, produced.get(GARBAGE).size()).putInt(8, garbage.length - 12);
            Files.write(garbageFile, garbage, StandardOpenOption.APPEND);
            System.out.printf("garbage: %d bytes appended to %s%n", garbage.length, garbageFile.getFileName());

            // Partition CORRUPT: flip one byte inside the first batch of the first, closed segment.
            List<Path> corruptFiles = SegmentFiles.logFiles(SegmentFiles.partitionDir(dataDir, TOPIC, CORRUPT));
            Path closedFile = corruptFiles.get(0);
            Batch corruptBatch = SegmentFiles.batches(closedFile).get(0);
            assertTrue(corruptBatch.size() > FLIP_POSITION && FLIP_POSITION > BATCH_HEADER_LENGTH,
                    corruptBatch::toString);
            flipByte(closedFile, FLIP_POSITION);
            byte[] corruptedBytes = Files.readAllBytes(closedFile);
            List<Batch> kafkaView = SegmentFiles.batches(closedFile);
            assertFalse(kafkaView.get(0).valid(), "Kafka's CRC check must see the flipped byte");
            assertTrue(kafkaView.stream().skip(1).allMatch(Batch::valid), "only the first batch is damaged");
            System.out.printf("corrupt: flipped byte %d of %s (batch offsets %d..%d, %d segments)%n",
                    FLIP_POSITION, closedFile.getFileName(), corruptBatch.baseOffset(), corruptBatch.lastOffset(),
                    corruptFiles.size());

            // Partition HEADER: the first batch of the closed segment claims 0 bytes (length field -12).
            Path headerFile = SegmentFiles.logFiles(SegmentFiles.partitionDir(dataDir, TOPIC, HEADER)).get(0);
            Batch zeroSized = SegmentFiles.batches(headerFile).get(0);
            try (FileChannel ch = FileChannel.open(headerFile, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4).putInt(0, -12), LENGTH_FIELD_POSITION);
            }

            broker.restart();
            long[] ends = client.logEndOffsets(TOPIC);
            assertAll(
                    () -> assertTornTailCut(client, tornFile, tornOriginal, tornBatch, ends[TORN], produced.get(TORN)),
                    () -> assertGarbageCut(client, garbageFile, garbageOriginal, ends[GARBAGE], produced.get(GARBAGE)),
                    () -> assertCorruptBatchRefused(client, closedFile, corruptedBytes, corruptBatch, ends[CORRUPT],
                            produced.get(CORRUPT)),
                    () -> assertZeroSizedBatchRefused(client, zeroSized, produced));
        }
    }

    private void assertTornTailCut(BrokerClient client, Path file, byte[] original, Batch torn, long end,
            List<Fetched> produced) {
        assertEquals(torn.baseOffset(), end, "log end offset moves back to the torn batch's base offset");
        assertEquals(torn.position(), SegmentFiles.size(file), "the file ends where the torn batch began");
        assertArrayEquals(Arrays.copyOf(original, torn.position()), readAll(file), "bytes before the cut");
        assertEquals(torn.baseOffset(), SegmentFiles.assertWholeValidBatches(file, SegmentFiles.baseOffsetOf(file)));
        assertEquals(produced.subList(0, (int) end), client.fetchAll(TOPIC, TORN, 0), "records before the torn batch");
        assertProducesContinueAt(client, TORN, end, produced.subList(0, (int) end));
    }

    private void assertGarbageCut(BrokerClient client, Path file, byte[] original, long end, List<Fetched> produced) {
        assertEquals(produced.size(), end, "log end offset after cutting garbage");
        assertArrayEquals(original, readAll(file), "the segment is back to its bytes before the garbage");
        SegmentFiles.assertWholeValidBatches(file, SegmentFiles.baseOffsetOf(file));
        assertEquals(produced, client.fetchAll(TOPIC, GARBAGE, 0));
        assertProducesContinueAt(client, GARBAGE, end, produced);
    }

    private void assertCorruptBatchRefused(BrokerClient client, Path closedFile, byte[] corruptedBytes,
            Batch corrupt, long end, List<Fetched> produced) {
        assertEquals(produced.size(), end, "log end offset of the partition with a corrupt closed segment");
        for (long offset : new long[] {corrupt.baseOffset(), corrupt.lastOffset()}) {
            Reply reply = client.fetchReply(TOPIC, CORRUPT, offset, 1);
            assertEquals(500, reply.status(), () -> "fetch at " + offset + " over the corrupt batch: " + reply.body());
            assertTrue(reply.contentType().startsWith("application/problem+json"), reply::contentType);
            JsonNode problem = reply.json();
            assertEquals("CORRUPT_RECORD", problem.path("code").asText(), reply::body);
            assertFalse(problem.has("records"), reply::body);
            assertTrue(problem.path("detail").asText().contains(closedFile.getFileName().toString()),
                    () -> "the error names the file: " + reply.body());
        }
        // The next batch of the same closed segment, and everything after it, is served intact.
        long next = corrupt.lastOffset() + 1;
        assertEquals(produced.subList((int) next, produced.size()), client.fetchAll(TOPIC, CORRUPT, next));
        assertArrayEquals(corruptedBytes, readAll(closedFile), "a closed segment is never rewritten by a start");
        assertProducesContinueAt(client, CORRUPT, end, produced);
    }

    private void assertZeroSizedBatchRefused(BrokerClient client, Batch damaged, List<List<Fetched>> produced) {
        long beyond = damaged.lastOffset() + 1; // in the next batch: the scan from the index walks over the damage
        for (int i = 0; i < REPEATED_FETCHES; i++) {
            Reply reply = client.fetchReply(TOPIC, HEADER, beyond, 10);
            assertEquals(500, reply.status(), () -> "fetch at " + beyond + " past a 0-byte batch: " + reply.body());
            assertEquals("CORRUPT_RECORD", reply.json().path("code").asText(), reply::body);
        }
        // No fetch thread is stuck: the partition's active segment and other partitions are still served.
        List<Fetched> header = produced.get(HEADER);
        assertEquals(header.subList(header.size() - 5, header.size()),
                client.fetchAll(TOPIC, HEADER, header.size() - 5));
        assertEquals(produced.get(GARBAGE).subList(0, 10), client.fetch(TOPIC, GARBAGE, 0, 10).records());
    }

    /** A new batch lands at {@code end}, and the records just before it are still there. */
    private void assertProducesContinueAt(BrokerClient client, int partition, long end, List<Fetched> before) {
        List<Fetched> batch = nextBatch(3);
        long[] offsets = client.produceTo(TOPIC, partition, keys(batch), values(batch));
        assertEquals(end, offsets[0], "first offset produced after the restart");
        long from = Math.max(0, end - 2);
        List<Fetched> expected = new ArrayList<>(before.subList((int) from, (int) end));
        for (int i = 0; i < batch.size(); i++) {
            expected.add(new Fetched(end + i, batch.get(i).key(), batch.get(i).value()));
        }
        assertEquals(expected, client.fetchAll(TOPIC, partition, from), "records around the new end");
    }

    /**
     * Produces batches of {@value #RECORDS_PER_BATCH} records to one partition until it has a closed
     * segment and an active one of {@value #ACTIVE_SEGMENT_MIN_BYTES} bytes or more; returns the
     * records as the broker acknowledged them.
     */
    private List<Fetched> produceUntilClosedAndLargeActiveSegment(BrokerClient client, Path dataDir,
            int partition) {
        Path dir = SegmentFiles.partitionDir(dataDir, TOPIC, partition);
        List<Fetched> produced = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            List<Fetched> batch = nextBatch(RECORDS_PER_BATCH);
            long[] offsets = client.produceTo(TOPIC, partition, keys(batch), values(batch));
            assertEquals(produced.size(), offsets[0], "dense offsets while producing");
            for (int i = 0; i < batch.size(); i++) {
                produced.add(new Fetched(offsets[i], batch.get(i).key(), batch.get(i).value()));
            }
            List<Path> files = SegmentFiles.logFiles(dir);
            if (files.size() >= 2 && SegmentFiles.size(last(files)) >= ACTIVE_SEGMENT_MIN_BYTES) {
                return produced;
            }
        }
        throw new AssertionError("partition " + partition + " never rolled a segment");
    }

    /** Records with offset -1 (not yet produced), unique keys and values of 60 to 140 letters. */
    private List<Fetched> nextBatch(int n) {
        List<Fetched> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++, seq++) {
            char[] pad = new char[60 + random.nextInt(81)];
            for (int c = 0; c < pad.length; c++) {
                pad[c] = (char) ('a' + random.nextInt(26));
            }
            batch.add(new Fetched(-1, "key-" + seq, "value-" + seq + "|" + new String(pad)));
        }
        return batch;
    }

    private static List<String> keys(List<Fetched> records) {
        return records.stream().map(Fetched::key).toList();
    }

    private static List<String> values(List<Fetched> records) {
        return records.stream().map(Fetched::value).toList();
    }

    private static void flipByte(Path file, int position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, position);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
