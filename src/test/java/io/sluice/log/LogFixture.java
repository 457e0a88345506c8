package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Batches, reads and file views shared by the tests of the replication-facing log. */
final class LogFixture {
    private LogFixture() {
    }

    static ByteBuffer batch(String... values) {
        List<Record> records = new ArrayList<>();
        for (String v : values) {
            records.add(new Record(null, v.getBytes(StandardCharsets.UTF_8), 1_000, List.of()));
        }
        return RecordBatchBuilder.build(records);
    }

    /** Every value below the high watermark, checking that offsets are dense from {@code from}. */
    static List<String> readAll(PartitionLog log, long from) {
        List<String> values = new ArrayList<>();
        long next = from;
        while (next < log.highWatermark()) {
            PartitionLog.ReadResult r = log.read(next, 64 * 1024, 1000);
            for (LogRecord rec : r.records()) {
                if (rec.offset() != from + values.size()) {
                    throw new AssertionError("offset " + rec.offset() + " after " + values.size() + " records from " + from);
                }
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
            }
            if (r.records().isEmpty()) {
                break;
            }
            next = r.nextOffset();
        }
        return values;
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    /** The segments' bytes one after the other: the log as a byte stream, whatever its segment boundaries. */
    static byte[] concatenatedSegments(Path dir) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Path f : segmentFiles(dir)) {
            out.write(Files.readAllBytes(f));
        }
        return out.toByteArray();
    }

    /** The bytes of a slice, as the network layer would send them. */
    static ByteBuffer bytesOf(LogSlice slice) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(slice.length());
        try (FileChannel ch = FileChannel.open(slice.file(), StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, slice.position() + b.position()) < 0) {
                    throw new AssertionError("slice " + slice + " runs past its file");
                }
            }
        }
        return b.flip();
    }

    /** Copies {@code leader}'s log into {@code follower} the way a fetcher does, slice by slice. */
    static void replicate(PartitionLog leader, PartitionLog follower, int maxBytes) throws IOException {
        while (follower.logEndOffset() < leader.logEndOffset()) {
            LogSlice slice = leader.readForReplica(follower.logEndOffset(), maxBytes);
            follower.appendAsFollower(bytesOf(slice)).join();
        }
    }
}
