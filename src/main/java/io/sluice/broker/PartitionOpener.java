package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.ClosedSegment;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Opens the partitions of a topic: each one's local log and remote view. Opening is all or
 * nothing: when partition k fails, what this call opened is closed and its directories removed,
 * so a create or a growth either completes or leaves the disk as it found it.
 */
final class PartitionOpener {
    private static final System.Logger LOG = System.getLogger(PartitionOpener.class.getName());
    /** The suffix of a segment's data file, as the log names it. */
    private static final String SEGMENT_SUFFIX = ".log";

    private final Path logsDir;
    private final LogRuntime runtime;
    private final LogConfig defaults;
    private final Tier tier;

    /** @param tier the object-store tier, or null to keep everything local */
    PartitionOpener(Path logsDir, LogRuntime runtime, LogConfig defaults, Tier tier) {
        this.logsDir = logsDir;
        this.runtime = runtime;
        this.defaults = defaults;
        this.tier = tier;
    }

    static String dirName(String topic, int partition) {
        return topic + "-" + partition;
    }

    /**
     * Opens the partitions {@code ids} of a topic, in order.
     *
     * @param fresh the topic id is new (a create or a growth): the bucket holds nothing for these
     *              partitions, so their remote views are known empty without asking it
     * @param loadRemote at start: whether to try listing the bucket now (false when it is known unreachable)
     * @return the partitions opened
     * @throws SluiceException BROKER_BUSY when the broker ran out of descriptors or memory, else
     *                         STORAGE_ERROR; the partitions this call created are gone again
     */
    List<Partition> open(TopicMetadata meta, Collection<Integer> ids, boolean fresh, boolean loadRemote) {
        List<Partition> opened = new ArrayList<>();
        boolean listing = loadRemote;
        for (int p : ids) {
            try {
                Partition partition = openOne(meta, p, fresh, listing);
                opened.add(partition);
                // One listing that failed says the store is away: the rest load in the background,
                // rather than each waiting out its own timeout on the way to readiness.
                listing &= partition.tierAvailable();
            } catch (IOException | RuntimeException e) {
                rollBack(opened, fresh);
                throw failure("opening partition " + p + " of topic " + meta.name(), e);
            }
        }
        return opened;
    }

    /** The partitions of {@code meta} that have a log directory here. */
    Set<Integer> onDisk(TopicMetadata meta) {
        Set<Integer> ids = new TreeSet<>();
        for (int p = 0; p < meta.partitions(); p++) {
            if (Files.isDirectory(logsDir.resolve(dirName(meta.name(), p)))) {
                ids.add(p);
            }
        }
        return ids;
    }

    private Partition openOne(TopicMetadata meta, int p, boolean fresh, boolean loadRemote) throws IOException {
        LogConfig config = meta.config().toLogConfig(defaults);
        String name = dirName(meta.name(), p);
        Path dir = logsDir.resolve(name);
        if (fresh && Files.exists(dir)) {
            // A new topic's directory must be new: anything there belongs to something else.
            throw new IOException("log directory of a new partition already exists: " + name);
        }
        if (tier == null) {
            return new Partition(meta.name(), p, PartitionLog.open(name, dir, config, runtime), null, null, false);
        }
        RemoteLog remote = fresh ? RemoteLog.empty(meta.id(), meta.name(), p)
                : RemoteLog.unloaded(meta.id(), meta.name(), p);
        if (!remote.isLoaded() && loadRemote) {
            tier.loadRemoteLogNow(remote);
        }
        boolean emptyDisk = !hasSegments(dir);
        long initialOffset = remote.isLoaded() && !remote.isEmpty() ? remote.endOffset() : 0;
        PartitionLog log = PartitionLog.open(name, dir, config, runtime, tier.hook(remote), initialOffset);
        Partition partition = new Partition(meta.name(), p, log, remote, tier.reader(),
                emptyDisk && !remote.isLoaded());
        queueUploads(partition);
        return partition;
    }

    /**
     * The remote view of a partition that waited for it has loaded: its (still empty) log is
     * reopened where the bucket's log ends, and it takes appends from there.
     */
    void resume(Partition partition, Consumer<PartitionLog> beforeServing) throws IOException {
        RemoteLog remote = partition.remote();
        PartitionLog log = partition.log();
        if (remote.isEmpty() || log.logEndOffset() >= remote.endOffset()) {
            partition.resume(log);
            return;
        }
        if (log.logEndOffset() != 0) {
            // Only a follower appends to a log that waits (a leader refuses produce until then): what
            // it holds came from the leader, at the partition's own offsets. It stays.
            partition.resume(log);
            return;
        }
        log.delete(); // empty: it never took a record
        PartitionLog resumed = PartitionLog.open(log.name(), logsDir.resolve(log.name()), log.config(), runtime,
                tier.hook(remote), remote.endOffset());
        beforeServing.accept(resumed); // its replica takes its role on the new log before anyone can write to it
        partition.resume(resumed);
        LOG.log(System.Logger.Level.INFO, "{0}: remote view loaded; appends resume at offset {1}", log.name(),
                remote.endOffset());
    }

    /** Queues every closed local segment the tier does not have yet (the uploader skips duplicates). */
    void queueUploads(Partition partition) {
        PartitionLog log = partition.log();
        if (tier != null && log.config().remoteStorage()) {
            for (ClosedSegment s : log.closedSegments()) {
                tier.uploader().enqueue(partition.remote(), s);
            }
        }
    }

    /** Closes what a failed open created and removes its directories (a fresh partition held nothing). */
    private void rollBack(List<Partition> opened, boolean fresh) {
        for (Partition p : opened) {
            try {
                if (fresh) {
                    p.log().delete();
                } else {
                    p.log().close();
                }
                if (p.remote() != null) {
                    tier.uploader().cancel(p.remote());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "rolling back " + p.log().name() + ": " + e);
            }
        }
    }

    private static boolean hasSegments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(SEGMENT_SUFFIX));
        }
    }

    /** BROKER_BUSY for resource exhaustion (descriptors, memory maps): retrying later may work. */
    static SluiceException failure(String what, Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        if (cause instanceof SluiceException s) {
            return s;
        }
        String message = String.valueOf(cause.getMessage());
        boolean exhausted = message.contains("Too many open files") || message.contains("Map failed")
                || cause instanceof OutOfMemoryError;
        ErrorCode code = exhausted ? ErrorCode.BROKER_BUSY : ErrorCode.STORAGE_ERROR;
        return new SluiceException(code, what + " failed" + (exhausted
                ? ": the broker is out of file descriptors or memory; retry later"
                : ": " + cause.getClass().getSimpleName()), cause);
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
