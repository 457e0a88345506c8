package io.sluice.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Storage that loses power after a set number of operations, then fails every one. */
final class CrashingIo implements StorageIo {
    private final PowerLossStorage storage;
    private final AtomicInteger left = new AtomicInteger(-1);
    private volatile boolean crashed;

    CrashingIo(PowerLossStorage storage) {
        this.storage = storage;
    }

    void crashAfter(int operations) {
        left.set(operations);
    }

    boolean crashed() {
        return crashed;
    }

    private void step() throws IOException {
        if (left.get() >= 0 && left.getAndDecrement() == 0) {
            crashed = true;
            storage.powerLoss();
        }
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        step();
        return storage.open(file, options);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
        step();
        storage.syncDirectory(d);
    }

    @Override
    public void createDirectories(Path d) throws IOException {
        step();
        storage.createDirectories(d);
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
        step();
        storage.moveAtomically(source, target);
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        step();
        storage.deleteIfExists(file);
    }
}
