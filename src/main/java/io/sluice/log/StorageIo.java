package io.sluice.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Every way the log touches the file system that matters for durability: opening files, making a
 * directory's entries durable, atomic renames and deletes. The log goes through this interface and
 * never through {@link FileChannel#open} directly, so a test can stand in a file system that
 * forgets whatever was not fsynced when the power goes (see the power-loss test).
 *
 * <p>Why directories are fsynced: on Linux a new file's name lives in its directory, and an fsync
 * of the file does not make the name durable. A segment fsynced into a directory whose new entry
 * was lost is gone after a power cut, with everything acknowledged in it.
 */
public interface StorageIo {
    /** The real file system. */
    StorageIo DEFAULT = new StorageIo() {
    };

    default FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, options);
    }

    /** Makes the directory's entries (files created, renamed or deleted in it) durable. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Creates {@code dir} and any missing parent, each made durable by an fsync of the directory
     * that holds it. Does nothing when {@code dir} exists.
     */
    default void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectories(p);
            syncDirectory(p.getParent());
        }
    }

    /** Replaces {@code target} by {@code source} atomically; the caller syncs the directory. */
    default void moveAtomically(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    default void deleteIfExists(Path file) throws IOException {
        Files.deleteIfExists(file);
    }
}
