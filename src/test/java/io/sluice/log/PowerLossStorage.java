package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * A file system for tests that forgets, at {@link #powerLoss}, everything a real disk may forget
 * when the power goes: every byte written to a file since its last {@code force()}, and every
 * directory entry (a file or directory created, renamed or deleted) since the last fsync of its
 * directory. The worst case a disk is allowed, made certain: a log that relies on anything it did
 * not fsync loses it here, every time.
 *
 * <p>After the power loss every operation fails, as if the process had died with its disk; a
 * restarted broker opens the files with the real file system. Other faults on demand: creating
 * files fails as with EMFILE ({@link #refuseNewFilesIn}), fsyncs fail ({@link #failFsyncs}); and it
 * counts the files open through it ({@link #openChannels}).
 */
public final class PowerLossStorage implements StorageIo {
    /** A file's content as the disk holds it after its last fsync, and where it changed since. */
    private static final class FileState {
        byte[] durable;
        long dirtyFrom = Long.MAX_VALUE;

        FileState(byte[] durable) {
            this.durable = durable;
        }
    }

    /** A change to a directory entry, undone by a power loss until the directory is fsynced. */
    private sealed interface DirOp permits Created, Renamed, Deleted {
    }

    private record Created(Path path) implements DirOp {
    }

    private record Renamed(Path source, Path target, FileState sourceState, FileState previousTarget) implements DirOp {
    }

    private record Deleted(Path path, FileState state) implements DirOp {
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Path, FileState> files = new HashMap<>();
    private final Map<Path, List<DirOp>> unsyncedEntries = new HashMap<>();
    private final List<FileChannel> channels = new ArrayList<>();
    private volatile boolean off;
    private volatile Set<Path> refuseCreatingIn = Set.of();
    private volatile boolean failFsyncs;
    private final java.util.concurrent.atomic.AtomicInteger failingOpens = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Makes creating a new file in these directories fail as EMFILE does ({@code Too many open
     * files}); an empty set lifts it.
     */
    public void refuseNewFilesIn(Set<Path> dirs) {
        refuseCreatingIn = Set.copyOf(dirs);
    }

    /** Makes the next {@code count} opens of any file fail as EMFILE does. */
    public void failNextOpens(int count) {
        failingOpens.set(count);
    }

    /** Makes every file fsync fail with an I/O error (a failing disk) until lifted. */
    public void failFsyncs(boolean fail) {
        failFsyncs = fail;
    }

    /** Files opened through this storage and not closed yet. */
    public synchronized int openChannels() {
        return channels.size();
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        lock.readLock().lock();
        try {
            checkPower();
            Set<OpenOption> opts = Set.of(options);
            if (failingOpens.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new java.nio.file.FileSystemException(file.toString(), null, "Too many open files");
            }
            boolean existed = Files.exists(file);
            boolean creates = !existed && (opts.contains(StandardOpenOption.CREATE)
                    || opts.contains(StandardOpenOption.CREATE_NEW));
            if ((creates || opts.contains(StandardOpenOption.CREATE_NEW)) && refuseCreatingIn.contains(file.getParent())) {
                throw new java.nio.file.FileSystemException(file.toString(), null, "Too many open files");
            }
            FileChannel real = FileChannel.open(file, options);
            synchronized (this) {
                FileState state = files.get(file);
                if (state == null) {
                    state = new FileState(existed ? Files.readAllBytes(file) : new byte[0]);
                    files.put(file, state);
                }
                if (creates) {
                    state.durable = new byte[0];
                    unsynced(file.getParent()).add(new Created(file));
                }
                if (existed && opts.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
                    state.dirtyFrom = 0;
                }
                TrackingChannel ch = new TrackingChannel(file, real, state);
                channels.add(ch);
                return ch;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private List<DirOp> unsynced(Path dir) {
        return unsyncedEntries.computeIfAbsent(dir, d -> new ArrayList<>());
    }

    private void checkPower() throws IOException {
        if (off) {
            throw new IOException("the power is off");
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        lock.readLock().lock();
        try {
            checkPower();
            synchronized (this) {
                unsyncedEntries.remove(dir);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            lock.readLock().lock();
            try {
                checkPower();
                Files.createDirectories(p);
                synchronized (this) {
                    unsynced(p.getParent()).add(new Created(p));
                }
            } finally {
                lock.readLock().unlock();
            }
            syncDirectory(p.getParent());
        }
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
        lock.readLock().lock();
        try {
            checkPower();
            synchronized (this) {
                FileState sourceState = stateOf(source);
                FileState previous = Files.exists(target) ? stateOf(target) : null;
                StorageIo.super.moveAtomically(source, target);
                files.remove(source);
                files.put(target, sourceState);
                unsynced(target.getParent()).add(new Renamed(source, target, sourceState, previous));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        lock.readLock().lock();
        try {
            checkPower();
            synchronized (this) {
                if (!Files.exists(file)) {
                    return;
                }
                FileState state = stateOf(file);
                Files.delete(file);
                files.remove(file);
                unsynced(file.getParent()).add(new Deleted(file, state));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The tracked state of a file; one this storage never saw counts as durable as it is. */
    private FileState stateOf(Path file) throws IOException {
        FileState s = files.get(file);
        return s != null ? s : new FileState(Files.readAllBytes(file));
    }

    /**
     * Cuts the power: undoes every directory change not fsynced (deepest directories first, newest
     * change first), puts every file back to its content at its last fsync, and fails everything
     * from now on.
     */
    public void powerLoss() throws IOException {
        lock.writeLock().lock();
        try {
            off = true;
            synchronized (this) {
                for (FileChannel ch : channels) {
                    ((TrackingChannel) ch).real.close();
                }
                List<Path> dirs = new ArrayList<>(unsyncedEntries.keySet());
                dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
                for (Path dir : dirs) {
                    List<DirOp> ops = unsyncedEntries.get(dir);
                    for (int i = ops.size() - 1; i >= 0; i--) {
                        undo(ops.get(i));
                    }
                }
                unsyncedEntries.clear();
                for (Map.Entry<Path, FileState> e : files.entrySet()) {
                    if (Files.isRegularFile(e.getKey())) {
                        Files.write(e.getKey(), e.getValue().durable);
                    }
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void undo(DirOp op) throws IOException {
        if (op instanceof Created c) {
            deleteTree(c.path());
            files.keySet().removeIf(p -> p.startsWith(c.path()));
        } else if (op instanceof Renamed r) {
            if (Files.exists(r.target())) {
                Files.move(r.target(), r.source(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            files.put(r.source(), r.sourceState());
            if (r.previousTarget() == null) {
                files.remove(r.target());
            } else {
                files.put(r.target(), r.previousTarget());
                Files.write(r.target(), r.previousTarget().durable);
            }
        } else if (op instanceof Deleted d && Files.isDirectory(d.path().getParent())) {
            files.put(d.path(), d.state());
            Files.write(d.path(), d.state().durable);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Records where a file changes, and takes the new bytes as durable on force(). */
    private final class TrackingChannel extends FileChannel {
        private final Path file;
        private final FileChannel real;
        private final FileState state;

        TrackingChannel(Path file, FileChannel real, FileState state) {
            this.file = file;
            this.real = real;
            this.state = state;
        }

        private void changed(long from) {
            synchronized (PowerLossStorage.this) {
                state.dirtyFrom = Math.min(state.dirtyFrom, from);
            }
        }

        private <T> T guarded(IoCall<T> call) throws IOException {
            lock.readLock().lock();
            try {
                checkPower();
                return call.run();
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return guarded(() -> real.read(dst));
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return guarded(() -> real.read(dsts, offset, length));
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return guarded(() -> real.read(dst, position));
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return guarded(() -> {
                changed(real.position());
                return real.write(src);
            });
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return guarded(() -> {
                changed(real.position());
                return real.write(srcs, offset, length);
            });
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return guarded(() -> {
                changed(position);
                return real.write(src, position);
            });
        }

        @Override
        public long position() throws IOException {
            return guarded(real::position);
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            guarded(() -> real.position(newPosition));
            return this;
        }

        @Override
        public long size() throws IOException {
            return guarded(real::size);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            guarded(() -> {
                changed(size);
                return real.truncate(size);
            });
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            guarded(() -> {
                if (failFsyncs) {
                    throw new IOException("fsync failed: Input/output error");
                }
                real.force(metaData);
                synchronized (PowerLossStorage.this) {
                    if (state.dirtyFrom != Long.MAX_VALUE) {
                        long size = real.size();
                        int keep = (int) Math.min(state.dirtyFrom, Math.min(size, state.durable.length));
                        byte[] now = Arrays.copyOf(state.durable, (int) size);
                        ByteBuffer tail = ByteBuffer.wrap(now, keep, (int) size - keep);
                        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                            while (tail.hasRemaining() && reader.read(tail, tail.position()) >= 0) {
                                // read the bytes written since the last force
                            }
                        }
                        state.durable = now;
                        state.dirtyFrom = Long.MAX_VALUE;
                    }
                }
                return null;
            });
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return guarded(() -> real.transferTo(position, count, target));
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return guarded(() -> {
                changed(position);
                return real.transferFrom(src, position, count);
            });
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("the log does not map files: " + file);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return guarded(() -> real.lock(position, size, shared));
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return guarded(() -> real.tryLock(position, size, shared));
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
            synchronized (PowerLossStorage.this) {
                channels.remove(this);
            }
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }
}
