package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A partition's segment files on disk ({@code DIR/logs/{topic}-{p}/{baseOffset:020d}.log}), read
 * with Kafka's own {@link FileRecords}: the independent oracle for "same bytes as Kafka's record
 * batch v2". (kafka-clients 4.x keeps these classes in {@code org.apache.kafka.common.record.internal}.)
 */
final class SegmentFiles {
    private SegmentFiles() {
    }

    /** One batch as Kafka's classes see it, with where it sits in its file. */
    record Batch(int position, int size, long baseOffset, long lastOffset, boolean valid) {
        int end() {
            return position + size;
        }
    }

    /** One record as Kafka's classes decode it; key and value as UTF-8 text (null stays null). */
    record KafkaRecord(long offset, String key, String value) {
    }

    static Path partitionDir(Path dataDir, String topic, int partition) {
        return dataDir.resolve("logs").resolve(topic + "-" + partition);
    }

    /** The partition's {@code .log} files, by base offset; the last is the active segment. */
    static List<Path> logFiles(Path partitionDir) {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted(Comparator.comparingLong(SegmentFiles::baseOffsetOf)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + partitionDir, e);
        }
    }

    static long baseOffsetOf(Path logFile) {
        String name = logFile.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".log".length()));
    }

    /**
     * The batches Kafka finds in a file. Kafka's reader stops silently at a partial batch, so
     * compare the last batch's end with the file size to see a torn tail.
     */
    static List<Batch> batches(Path logFile) {
        List<Batch> batches = new ArrayList<>();
        try (FileRecords records = FileRecords.open(logFile.toFile(), false)) {
            for (FileChannelRecordBatch b : records.batches()) {
                assertEquals(RecordBatch.MAGIC_VALUE_V2, b.magic(), () -> "magic of batch at " + logFile + ":"
                        + b.position());
                batches.add(new Batch(b.position(), b.sizeInBytes(), b.baseOffset(), b.lastOffset(), b.isValid()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + logFile, e);
        }
        return batches;
    }

    /** Every record of a file, decoded by Kafka after each batch passed Kafka's CRC check. */
    static List<KafkaRecord> records(Path logFile) {
        List<KafkaRecord> out = new ArrayList<>();
        try (FileRecords records = FileRecords.open(logFile.toFile(), false)) {
            for (FileChannelRecordBatch b : records.batches()) {
                b.ensureValid();
                for (Record r : b) {
                    out.add(new KafkaRecord(r.offset(), text(r.key()), text(r.value())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + logFile, e);
        }
        return out;
    }

    /**
     * Asserts that a file is nothing but whole, CRC-valid batches with dense offsets from
     * {@code expectedBase}; returns the offset after the last batch.
     */
    static long assertWholeValidBatches(Path logFile, long expectedBase) {
        long next = expectedBase;
        int end = 0;
        for (Batch b : batches(logFile)) {
            long expected = next;
            int position = end;
            assertTrue(b.valid(), () -> "Kafka rejects the batch at " + logFile + ":" + b.position() + " " + b);
            assertEquals(position, b.position(), () -> "batches of " + logFile + " are not back to back");
            assertEquals(expected, b.baseOffset(), () -> "offset gap before " + logFile + ":" + b.position());
            next = b.lastOffset() + 1;
            end = b.end();
        }
        assertEquals(size(logFile), end, "bytes after the last whole batch of " + logFile);
        return next;
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
