package io.sluice.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open files of closed segments, across every partition of a broker: opened on a read, kept
 * while recently used and closed, least recently used first, beyond {@code maxOpen}. A partition
 * holds only its active segment's file open; the rest of its history costs descriptors only while
 * readers are in it, so ten thousand partitions with long histories do not exhaust {@code ulimit -n}.
 *
 * <p>A file in use is never closed under its reader: {@link #acquire} counts references and
 * eviction skips referenced files, so the bound may be overshot by the files being read at once
 * (at most one per reading thread).
 */
public final class SegmentFileCache {
    private static final System.Logger LOG = System.getLogger(SegmentFileCache.class.getName());
    public static final int DEFAULT_MAX_OPEN = 1024;

    private final StorageIo io;
    private final int maxOpen;
    /** Access-ordered: iteration starts at the least recently used file. */
    private final LinkedHashMap<Path, Entry> open = new LinkedHashMap<>(64, 0.75f, true);

    private static final class Entry {
        final FileChannel channel;
        int references;
        boolean discarded;

        Entry(FileChannel channel) {
            this.channel = channel;
        }
    }

    /** A file in use: close it (try-with-resources) to give it back. */
    public final class Handle implements AutoCloseable {
        private final Path file;
        private final Entry entry;

        private Handle(Path file, Entry entry) {
            this.file = file;
            this.entry = entry;
        }

        FileChannel channel() {
            return entry.channel;
        }

        @Override
        public void close() {
            release(file, entry);
        }
    }

    public SegmentFileCache(StorageIo io, int maxOpen) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen must be at least 1, was " + maxOpen);
        }
        this.io = io;
        this.maxOpen = maxOpen;
    }

    /**
     * Opens {@code file} for reading unless it is open already. When the process is out of
     * descriptors, closes every idle file and tries once more before giving up.
     */
    synchronized Handle acquire(Path file) throws IOException {
        Entry e = open.get(file);
        if (e == null) {
            FileChannel channel;
            try {
                channel = io.open(file, StandardOpenOption.READ);
            } catch (FileSystemException tooMany) {
                if (!isOutOfDescriptors(tooMany) || !closeIdle()) {
                    throw tooMany;
                }
                channel = io.open(file, StandardOpenOption.READ);
            }
            e = new Entry(channel);
            open.put(file, e);
            evictIdle();
        }
        e.references++;
        return new Handle(file, e);
    }

    /** Takes over the channel of a segment that was just rolled, so its next reader need not reopen it. */
    synchronized void adopt(Path file, FileChannel channel) {
        Entry previous = open.put(file, new Entry(channel));
        if (previous != null) {
            // A compaction swap replaced the file under this name: a reader of the old one finishes first.
            previous.discarded = true;
            if (previous.references == 0) {
                closeQuietly(file, previous);
            }
        }
        evictIdle();
    }

    /** Forgets a deleted file: closed now, or by its last reader. */
    synchronized void discard(Path file) {
        Entry e = open.remove(file);
        if (e != null) {
            e.discarded = true;
            if (e.references == 0) {
                closeQuietly(file, e);
            }
        }
    }

    private synchronized void release(Path file, Entry e) {
        e.references--;
        if (e.references == 0 && e.discarded) {
            closeQuietly(file, e);
        } else {
            evictIdle();
        }
    }

    /** Whether the failure is EMFILE or ENFILE: the process or the system is out of descriptors. */
    public static boolean isOutOfDescriptors(IOException e) {
        return e instanceof FileSystemException fs && fs.getReason() != null
                && fs.getReason().contains("Too many open files");
    }

    /** Closes every file no reader holds; whether there was any. */
    private boolean closeIdle() {
        boolean closedAny = false;
        Iterator<Map.Entry<Path, Entry>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Path, Entry> e = it.next();
            if (e.getValue().references == 0) {
                it.remove();
                closeQuietly(e.getKey(), e.getValue());
                closedAny = true;
            }
        }
        return closedAny;
    }

    private void evictIdle() {
        Iterator<Map.Entry<Path, Entry>> it = open.entrySet().iterator();
        while (open.size() > maxOpen && it.hasNext()) {
            Map.Entry<Path, Entry> eldest = it.next();
            if (eldest.getValue().references == 0) {
                it.remove();
                closeQuietly(eldest.getKey(), eldest.getValue());
            }
        }
    }

    private static void closeQuietly(Path file, Entry e) {
        try {
            e.channel.close();
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "closing " + file, ex);
        }
    }

    /** Files of closed segments open right now. */
    public synchronized int openFiles() {
        return open.size();
    }

    public int maxOpen() {
        return maxOpen;
    }

    /** Closes every file (at broker shutdown). */
    public synchronized void closeAll() {
        open.forEach(SegmentFileCache::closeQuietly);
        open.clear();
    }
}
