package io.sluice.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A process that holds a data dir's lock as a running broker does, until its stdin closes: the
 * other broker of {@link BrokerMaintenanceTest}'s cross-process lock test.
 */
public final class DataDirLockHolder {
    private DataDirLockHolder() {
    }

    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]).resolve(Broker.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            System.out.println("locked " + lock.isValid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our stdin
            }
        }
    }
}
