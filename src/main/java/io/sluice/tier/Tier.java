package io.sluice.tier;

import io.sluice.error.SluiceException;
import io.sluice.log.ClosedSegment;
import io.sluice.log.LogConfig;
import io.sluice.log.SegmentTiering;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The broker's object-store tier: the uploader, the remote reader, the partitions' remote views,
 * topic definitions kept in the bucket, and total retention of remote segments. The object store
 * is the source of truth for remote data: views are rebuilt from it by listing.
 */
public final class Tier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Tier.class.getName());
    /** How long every upload must have failed, and how many attempts at least, before storage health is DOWN. */
    public static final long UPLOAD_FAILURE_ALARM_MS = 60_000;
    public static final int UPLOAD_FAILURE_ALARM_ATTEMPTS = 3;
    /**
     * How long a deleted topic keeps its tombstone after its deletion started. A PUT whose client
     * gave up (a timeout) can still reach the store later; S3 refuses a signed request older than
     * 15 minutes, so after that no upload of the deleted topic can land any more.
     */
    public static final long LATE_WRITE_GRACE_MS = 16 * 60_000;
    /** Partitions whose bucket is listed for a take-over of their uploads at once. */
    private static final int CONCURRENT_TAKE_OVERS = 16;

    private final ObjectStore store;
    private final TierLayout layout;
    private final LongSupplier clock;
    private final Duration loadTimeout;
    private final Uploader uploader;
    private final RemoteReader reader;
    private final ScheduledExecutorService threads;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final Map<RemoteLog, CompletableFuture<Void>> takeOvers = new ConcurrentHashMap<>();

    /**
     * @param store        the object store; the tier closes it
     * @param loadTimeout  how long start-up waits for the store before going on without it
     */
    public Tier(ObjectStore store, TierLayout layout, LongSupplier clock, int uploadConcurrency, long readCacheBytes,
            Duration loadTimeout) {
        this.store = store;
        this.layout = layout;
        this.clock = clock;
        this.loadTimeout = loadTimeout;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sluice-tier-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.uploader = new Uploader(store, layout, threads, threads, clock, uploadConcurrency);
        this.reader = new RemoteReader(store, layout, readCacheBytes);
    }

    /** The tier's clock (epoch milliseconds). */
    public long now() {
        return clock.getAsLong();
    }

    public Uploader uploader() {
        return uploader;
    }

    public RemoteReader reader() {
        return reader;
    }

    /** Makes sure the bucket exists; false (logged) when the store cannot be reached now. */
    public boolean ensureBucket() {
        try {
            store.ensureBucket().get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "object store unreachable, tiering waits for it: " + e);
            return false;
        }
    }

    /**
     * Rebuilds a partition's remote view from the bucket: every committed ({@code .meta}) segment.
     * Until this completes the view stays unloaded (its tiered range unavailable); a failure leaves
     * it so, and the caller tries again later.
     */
    public CompletableFuture<Void> loadRemoteLog(RemoteLog remote) {
        return listSegments(remote).thenAccept(remote::load);
    }

    /** Every committed ({@code .meta}) segment of the partition in the bucket. */
    private CompletableFuture<List<RemoteSegment>> listSegments(RemoteLog remote) {
        return store.list(layout.partitionPrefix(remote.topicId(), remote.partition())).thenCompose(objects -> {
            List<CompletableFuture<RemoteSegment>> metas = new ArrayList<>();
            for (ObjectStore.ObjectInfo o : objects) {
                if (o.key().endsWith(TierLayout.META)) {
                    metas.add(store.get(o.key()).thenApply(bytes -> RemoteSegment.parse(bytes, o.key())));
                }
            }
            return CompletableFuture.allOf(metas.toArray(CompletableFuture[]::new))
                    .thenApply(v -> metas.stream().map(CompletableFuture::join).toList());
        });
    }

    /**
     * This broker leads the partition at {@code epoch}: its own uploads of any earlier stint are
     * stopped and awaited, the bucket is listed again (another leader may have uploaded since the
     * view was loaded), and from then on it uploads at {@code epoch} the segments whose offsets the
     * bucket does not hold. One take-over per partition runs at a time; a failure leaves the
     * partition not uploading, for the caller to try again, and counts as a failed upload attempt
     * (a store that cannot be listed cannot be uploaded to either: the alarm must show it).
     *
     * @param relist false when no other broker can have uploaded since the view was loaded (the
     *               partition never had another leader): the loaded view is taken as it is, so a
     *               store that is away does not hold up the uploads' queue and retries
     */
    public CompletableFuture<Void> takeOverUploads(RemoteLog remote, int epoch, boolean relist) {
        CompletableFuture<Void> running = takeOvers.get(remote);
        if (running != null) {
            return running;
        }
        if (takeOvers.size() >= CONCURRENT_TAKE_OVERS) {
            // Thousands of partitions changing hands at once must not flood the store with listings.
            return CompletableFuture.failedFuture(new IllegalStateException(remote.name()
                    + ": too many take-overs under way, tried again at the next pass"));
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        running = takeOvers.putIfAbsent(remote, mine);
        if (running != null) {
            return running;
        }
        uploader.stop(remote).thenCompose(v -> relist ? listSegments(remote).thenApply(listed -> {
            uploader.storeAnswered();
            return listed;
        }) : CompletableFuture.completedFuture(List.copyOf(remote.segments()))).thenAccept(listed -> {
            remote.takeOver(listed, epoch);
            LOG.log(System.Logger.Level.INFO, "{0}: uploading at leader epoch {1}; the bucket holds {2} segments "
                    + "up to offset {3}", remote.name(), epoch, remote.segments().size(), remote.endOffset());
        }).whenComplete((v, e) -> {
            takeOvers.remove(remote, mine);
            if (e == null) {
                mine.complete(null);
            } else {
                uploader.attemptFailed();
                LOG.log(System.Logger.Level.DEBUG, "{0}: taking over uploads at epoch {1}, retried: {2}",
                        remote.name(), epoch, String.valueOf(SluiceException.causeOf(e)));
                mine.completeExceptionally(e);
            }
        });
        return mine;
    }

    /** This broker no longer leads the partition: its queued uploads are dropped (see {@link Uploader#stop}). */
    public CompletableFuture<Void> stopUploads(RemoteLog remote) {
        return uploader.stop(remote);
    }

    /**
     * What a leader tells its followers: every offset of the partition below this is in the bucket
     * (or was, and total retention removed it), so a follower may delete local segments below it;
     * -1 when it cannot say. Only a view this broker uploads at (listed when it took over) counts,
     * and only the hole-free range from the first remote segment, and only when that range starts
     * at or below the local log start: a local segment below the remote start that was never
     * uploaded must not be deleted anywhere.
     */
    public long tieredEndOffset(RemoteLog remote, long localLogStartOffset) {
        if (remote.uploadEpoch() < 0 || remote.isEmpty() || remote.startOffset() > localLogStartOffset) {
            return -1;
        }
        return remote.contiguousEndOffset();
    }

    /** As {@link #loadRemoteLog(RemoteLog)}, waiting at most the load timeout; false (logged) when it did not load. */
    public boolean loadRemoteLogNow(RemoteLog remote) {
        try {
            loadRemoteLog(remote).get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: remote view not loaded yet, its tiered range is unavailable "
                    + "until it is: {1}", remote.name(), String.valueOf(SluiceException.causeOf(e)));
            return false;
        }
    }

    /**
     * Whether the store has refused every upload for at least {@link #UPLOAD_FAILURE_ALARM_MS}: the
     * backlog only grows, and an operator must look (a wrong endpoint, credentials or bucket policy
     * refuses for ever, where an outage ends by itself).
     */
    public boolean uploadsFailing() {
        return uploader.consecutiveFailures() >= UPLOAD_FAILURE_ALARM_ATTEMPTS
                && uploader.failingForMs() >= UPLOAD_FAILURE_ALARM_MS;
    }

    /** The hook a partition log uses: it queues closed segments and says which are uploaded. */
    public SegmentTiering hook(RemoteLog remote) {
        return new SegmentTiering() {
            @Override
            public void onSegmentClosed(ClosedSegment segment) {
                uploader.enqueue(remote, segment);
            }

            @Override
            public boolean isUploaded(long baseOffset, long nextOffset) {
                // A follower's own view may be older than the leader's word; either suffices.
                return remote.covers(baseOffset, nextOffset) || nextOffset <= remote.deletedBelow()
                        || nextOffset <= remote.leaderTieredEnd();
            }
        };
    }

    // ---- topic definitions and tombstones --------------------------------------------------------------

    public CompletableFuture<Void> saveTopic(String topicId, byte[] definition) {
        return store.putBytes(layout.topicKey(topicId), definition);
    }

    /** Every topic definition in the bucket, by topic id (blocking, bounded by the load timeout). */
    public Map<String, byte[]> loadTopics() throws Exception {
        Map<String, byte[]> topics = new TreeMap<>();
        for (ObjectStore.ObjectInfo o : listNow(layout.topicsPrefix())) {
            String id = layout.topicIdOf(o.key());
            if (id != null) {
                topics.put(id, store.get(o.key()).get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        return topics;
    }

    /** The ids of topics deleted but not yet cleaned from the bucket (blocking, bounded by the load timeout). */
    public Set<String> loadTombstones() throws Exception {
        Set<String> ids = new TreeSet<>();
        for (ObjectStore.ObjectInfo o : listNow(layout.tombstonesPrefix())) {
            String id = layout.tombstonedIdOf(o.key());
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private List<ObjectStore.ObjectInfo> listNow(String prefix) throws Exception {
        return store.list(prefix).get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One pass of deleting a topic from the bucket: its uploads are cancelled (and awaited), a
     * tombstone is written so that no broker restores it, then its definition and every object
     * under its id. Completes with true once the prefix lists empty, false when objects remained
     * (a late upload): the caller runs the pass again, and drops the tombstone with
     * {@link #dropTombstone} when it is sure no late upload can land any more.
     */
    public CompletableFuture<Boolean> deleteTopic(String topicId, byte[] tombstone, List<RemoteLog> partitions) {
        CompletableFuture<?>[] drained = partitions.stream().map(uploader::cancel).toArray(CompletableFuture[]::new);
        return store.putBytes(layout.tombstoneKey(topicId), tombstone)
                .thenCompose(v -> store.delete(List.of(layout.topicKey(topicId))))
                .thenCompose(v -> CompletableFuture.allOf(drained))
                .thenCompose(v -> store.list(layout.topicPrefix(topicId)))
                .thenCompose(objects -> store.delete(objects.stream().map(ObjectStore.ObjectInfo::key).toList()))
                .thenCompose(v -> store.list(layout.topicPrefix(topicId)))
                .thenApply(List::isEmpty);
    }

    /** The last step of deleting a topic: its prefix is empty for good. */
    public CompletableFuture<Void> dropTombstone(String topicId) {
        return store.delete(List.of(layout.tombstoneKey(topicId)));
    }

    // ---- total retention ----------------------------------------------------------------------------

    /**
     * Deletes remote segments past the topic's total retention, oldest first: the {@code .meta}
     * commit object first (the segment stops existing), then its data. {@code localOnlyBytes} is
     * the size of local data not in the tier, which counts toward {@code retention.bytes}.
     */
    public CompletableFuture<Void> enforceRetention(RemoteLog remote, LogConfig config, long localOnlyBytes) {
        long now = clock.getAsLong();
        long total = remote.sizeBytes() + localOnlyBytes;
        List<RemoteSegment> expired = new ArrayList<>();
        for (RemoteSegment s : remote.segments()) {
            boolean pastTime = config.retentionMs() >= 0 && now - s.maxTimestamp() > config.retentionMs();
            boolean overSize = config.retentionBytes() >= 0 && total - s.sizeBytes() >= config.retentionBytes();
            if (!pastTime && !overSize) {
                break;
            }
            expired.add(s);
            total -= s.sizeBytes();
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        // Shadowed segments (a deposed leader's late commit of a range the new leader uploaded) go first.
        expired.addAll(0, remote.shadowed());
        for (RemoteSegment s : expired) {
            chain = chain.thenCompose(v -> deleteSegment(remote, s));
        }
        return chain;
    }

    private CompletableFuture<Void> deleteSegment(RemoteLog remote, RemoteSegment s) {
        String id = remote.topicId();
        int p = remote.partition();
        return store.delete(List.of(layout.segmentKey(id, p, s, TierLayout.META)))
                .thenRun(() -> remote.removeByRetention(s))
                .thenCompose(v -> store.delete(List.of(
                        layout.segmentKey(id, p, s, TierLayout.LOG),
                        layout.segmentKey(id, p, s, TierLayout.INDEX),
                        layout.segmentKey(id, p, s, TierLayout.TIME_INDEX))))
                .thenRun(() -> LOG.log(System.Logger.Level.INFO, "{0}: deleted remote segment {1} by retention",
                        remote.name(), s.baseOffset()));
    }

    @Override
    public void close() {
        threads.shutdownNow();
        store.close();
        for (AutoCloseable c : closeAfter) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c + ": " + e);
            }
        }
    }

    /** Closes {@code resource} when the tier closes, after the store client (the embedded server, say). */
    public void closeAfter(AutoCloseable resource) {
        closeAfter.add(resource);
    }
}
