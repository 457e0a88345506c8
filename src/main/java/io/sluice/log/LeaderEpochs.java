package io.sluice.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The leader epochs of one partition's log and where each began (Kafka's leader-epoch cache,
 * KIP-101): epoch N's records are those from its start offset up to the next epoch's start. A
 * follower that lost leadership asks the new leader {@link #endOffsetFor} its own latest epoch and
 * truncates its log there, so a divergent tail written by a deposed leader is cut away even when
 * the high watermark would have kept it.
 *
 * <p>Kept in {@link LeaderEpochFile}; the file is rewritten (durably) whenever an epoch starts or
 * truncation removes one, which happens once per leader change, never per append. Changed only
 * by the log's writer; read from any thread through an immutable snapshot. The entries in memory
 * are the truth while the log is open: a write that fails (out of descriptors, a full disk) is
 * retried at the next change or {@link #flush}, and the file is always written whole, so it holds
 * a prefix of them at worst. Loading repairs that prefix: the log's last batch names the newest
 * epoch, and a file that does not know it is rebuilt from the batches.
 */
public final class LeaderEpochs {
    private static final System.Logger LOG = System.getLogger(LeaderEpochs.class.getName());

    /** Walks the epoch and base offset of every batch of a log, oldest first: to rebuild a missing file. */
    interface BatchWalk {
        void forEach(EpochVisitor visitor) throws IOException;
    }

    interface EpochVisitor {
        void batch(int epoch, long baseOffset) throws IOException;
    }

    private final LeaderEpochFile file;
    private final LongSupplier logEnd;
    private volatile List<EpochEntry> entries;
    /** The file lags the entries: a write failed (writer thread). */
    private boolean dirty;

    private LeaderEpochs(LeaderEpochFile file, LongSupplier logEnd, List<EpochEntry> entries) {
        this.file = file;
        this.logEnd = logEnd;
        this.entries = List.copyOf(entries);
    }

    /**
     * Loads the epochs of a log that ends at {@code logEndOffset}: entries starting at or past the end
     * are dropped (a truncation that reached the log but not this file, as Kafka does on load). A
     * missing or damaged file (a log written before epochs were kept) is rebuilt from the batches.
     */
    static LeaderEpochs load(String name, StorageIo io, java.nio.file.Path dir, long logEndOffset,
            int lastBatchEpoch, LongSupplier logEnd, BatchWalk batches) throws IOException {
        LeaderEpochFile file = new LeaderEpochFile(io, dir);
        List<EpochEntry> loaded = null;
        if (file.exists()) {
            try {
                loaded = file.read();
            } catch (CorruptRecordException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}; rebuilding it from the log", name, e.getMessage());
            }
        }
        if (loaded != null && lastBatchEpoch > (loaded.isEmpty() ? -1 : loaded.get(loaded.size() - 1).epoch())) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the log''s last batch has leader epoch {1}, newer than {2} "
                    + "knows; rebuilding it from the log", name, lastBatchEpoch, file.file());
            loaded = null;
        }
        // A new, empty log gets its file with its first epoch; one with batches is rebuilt and written now.
        boolean[] walked = {false};
        if (loaded == null) {
            loaded = rebuild(batches, walked);
        }
        List<EpochEntry> kept = new ArrayList<>(loaded);
        kept.removeIf(e -> e.startOffset() >= logEndOffset);
        LeaderEpochs epochs = new LeaderEpochs(file, logEnd, kept);
        if (walked[0] || kept.size() != loaded.size()) {
            epochs.persist();
        }
        return epochs;
    }

    private static List<EpochEntry> rebuild(BatchWalk batches, boolean[] walked) throws IOException {
        List<EpochEntry> rebuilt = new ArrayList<>();
        try {
            batches.forEach((epoch, baseOffset) -> {
                walked[0] = true;
                // Batches from before epochs were stamped carry -1 (no epoch): they start none.
                if (epoch >= 0 && (rebuilt.isEmpty() || epoch > rebuilt.get(rebuilt.size() - 1).epoch())) {
                    rebuilt.add(new EpochEntry(epoch, baseOffset));
                }
            });
        } catch (CorruptRecordException e) {
            // A damaged closed segment: reads report it where it is; the epochs before it stand.
            LOG.log(System.Logger.Level.WARNING, "rebuilding leader epochs stopped at a damaged batch: {0}",
                    e.getMessage());
        }
        return rebuilt;
    }

    /** The newest epoch that wrote to this log, or -1 when none did. */
    public int latestEpoch() {
        List<EpochEntry> e = entries;
        return e.isEmpty() ? EpochEndOffset.UNDEFINED_EPOCH : e.get(e.size() - 1).epoch();
    }

    /** Every epoch and its start offset, oldest first. */
    public List<EpochEntry> entries() {
        return entries;
    }

    /**
     * Kafka's {@code LeaderEpochFileCache.endOffsetFor} (KIP-279): for the latest epoch, the log end;
     * for an older one, the largest epoch at or below it and the start offset of the epoch after that;
     * for an epoch below the first known one, that epoch and the first known epoch's start (the log
     * before it is gone; the asker truncates to it); {@link EpochEndOffset#UNDEFINED} when asked for
     * -1, for an epoch above the latest, or when no epoch is known.
     */
    public EpochEndOffset endOffsetFor(int epoch) {
        List<EpochEntry> e = entries;
        if (epoch == EpochEndOffset.UNDEFINED_EPOCH || e.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (epoch == e.get(e.size() - 1).epoch()) {
            return new EpochEndOffset(epoch, logEnd.getAsLong());
        }
        int higher = 0;
        while (higher < e.size() && e.get(higher).epoch() <= epoch) {
            higher++;
        }
        if (higher == e.size()) {
            return EpochEndOffset.UNDEFINED;
        }
        long end = e.get(higher).startOffset();
        return higher == 0 ? new EpochEndOffset(epoch, end) : new EpochEndOffset(e.get(higher - 1).epoch(), end);
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset} when it is newer than the latest
     * (writer thread). An epoch already known changes nothing; an older one is a caller's bug.
     */
    void assign(int epoch, long startOffset) {
        int latest = latestEpoch();
        if (epoch == latest) {
            return;
        }
        if (epoch < latest) {
            throw new IllegalStateException(file.file() + ": epoch=" + epoch + " is older than latest=" + latest);
        }
        List<EpochEntry> next = new ArrayList<>(entries);
        next.add(new EpochEntry(epoch, startOffset));
        change(next);
    }

    /** Drops every epoch that starts at or after {@code endOffset}: the log was truncated there. */
    void truncateFromEnd(long endOffset) {
        List<EpochEntry> next = new ArrayList<>(entries);
        if (next.removeIf(e -> e.startOffset() >= endOffset)) {
            change(next);
        }
    }

    /**
     * The log now starts at {@code startOffset} (retention): epochs wholly below it go, and the one
     * that holds it starts there, as Kafka's {@code truncateFromStart}.
     */
    void truncateFromStart(long startOffset) {
        List<EpochEntry> current = entries;
        int holding = -1;
        for (int i = 0; i < current.size() && current.get(i).startOffset() <= startOffset; i++) {
            holding = i;
        }
        if (holding < 0 || holding == 0 && current.get(0).startOffset() == startOffset) {
            return;
        }
        List<EpochEntry> next = new ArrayList<>(current.subList(holding, current.size()));
        next.set(0, new EpochEntry(next.get(0).epoch(), startOffset));
        change(next);
    }

    /** Forgets every epoch: the log was emptied to start again elsewhere. */
    void clear() {
        if (!entries.isEmpty() || file.exists()) {
            change(List.of());
        }
    }

    /** Writes the file if an earlier write failed: at maintenance and close. */
    void flush() {
        if (dirty) {
            persist();
        }
    }

    private void change(List<EpochEntry> next) {
        entries = List.copyOf(next);
        persist();
    }

    private void persist() {
        try {
            file.write(entries);
            if (dirty) {
                LOG.log(System.Logger.Level.INFO, "{0} is written again", file.file());
            }
            dirty = false;
        } catch (IOException e) {
            if (!dirty) {
                LOG.log(System.Logger.Level.WARNING, "{0} could not be written ({1}); the epochs are kept in memory "
                        + "and written at the next change or maintenance", file.file(), e.toString());
            }
            dirty = true;
        }
    }
}
