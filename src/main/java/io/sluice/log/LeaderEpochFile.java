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

/**
 * The {@code leader-epoch-checkpoint} file of one partition, in Kafka's text format so Kafka's tools
 * read it: a version line ({@value #VERSION}), a count line, then one {@code epoch startOffset} line
 * per entry. Written crash-safely through {@link StorageIo}: a temporary file, fsync, atomic rename,
 * directory fsync; a crash leaves the old file or the new one, never a mix.
 */
final class LeaderEpochFile {
    static final String FILE_NAME = "leader-epoch-checkpoint";
    private static final String TMP_SUFFIX = ".tmp";
    static final int VERSION = 0;

    private final StorageIo io;
    private final Path file;

    LeaderEpochFile(StorageIo io, Path dir) {
        this.io = io;
        this.file = dir.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    boolean exists() {
        return Files.exists(file);
    }

    /** The entries in the file; a file that does not parse is a {@link CorruptRecordException} naming it. */
    List<EpochEntry> read() throws IOException {
        io.deleteIfExists(file.resolveSibling(FILE_NAME + TMP_SUFFIX)); // a write that did not finish
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new CorruptRecordException(file + ": expected version line " + VERSION + " and a count line");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (count != lines.size() - 2) {
                throw new CorruptRecordException(file + ": count=" + count + " but " + (lines.size() - 2) + " entries");
            }
            List<EpochEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(i + 2).trim().split("\\s+");
                if (parts.length != 2) {
                    throw new CorruptRecordException(file + ": line " + (i + 3) + " is not 'epoch startOffset'");
                }
                EpochEntry e = new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                EpochEntry previous = entries.isEmpty() ? null : entries.get(entries.size() - 1);
                if (e.epoch() < 0 || e.startOffset() < 0 || previous != null
                        && (e.epoch() <= previous.epoch() || e.startOffset() < previous.startOffset())) {
                    throw new CorruptRecordException(file + ": line " + (i + 3) + " (" + e + ") does not follow "
                            + previous);
                }
                entries.add(e);
            }
            return entries;
        } catch (NumberFormatException e) {
            throw new CorruptRecordException(file + ": " + e.getMessage());
        }
    }

    void write(List<EpochEntry> entries) throws IOException {
        StringBuilder text = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (EpochEntry e : entries) {
            text.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        Path tmp = file.resolveSibling(FILE_NAME + TMP_SUFFIX);
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        io.moveAtomically(tmp, file);
        io.syncDirectory(file.getParent());
    }
}
