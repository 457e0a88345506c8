package io.sluice.tier;

import io.sluice.log.ClosedSegment;
import io.sluice.log.LogConfig;
import io.sluice.log.SegmentTiering;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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

    private final ObjectStore store;
    private final TierLayout layout;
    private final LongSupplier clock;
    private final Duration loadTimeout;
    private final Uploader uploader;
    private final RemoteReader reader;
    private final ScheduledExecutorService threads;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

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
     * Throws when the store cannot be read: the caller decides what an unknown remote view means.
     */
    public RemoteLog loadRemoteLog(String topic, int partition) throws Exception {
        RemoteLog remote = new RemoteLog(topic, partition);
        List<CompletableFuture<RemoteSegment>> metas = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : store.list(layout.partitionPrefix(topic, partition))
                .get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            if (o.key().endsWith(TierLayout.META)) {
                metas.add(store.get(o.key()).thenApply(bytes -> RemoteSegment.parse(bytes, o.key())));
            }
        }
        for (CompletableFuture<RemoteSegment> m : metas) {
            remote.add(m.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        return remote;
    }

    /** The hook a partition log uses: it queues closed segments and says which are uploaded. */
    public SegmentTiering hook(RemoteLog remote) {
        return new SegmentTiering() {
            @Override
            public void onSegmentClosed(ClosedSegment segment) {
                uploader.enqueue(remote, segment);
            }

            @Override
            public boolean isUploaded(long baseOffset) {
                return remote.isUploaded(baseOffset) || baseOffset < remote.deletedBelow();
            }
        };
    }

    // ---- topic definitions ------------------------------------------------------------------------

    public CompletableFuture<Void> saveTopic(String topic, byte[] definition) {
        return store.putBytes(layout.topicKey(topic), definition);
    }

    /** Every topic definition in the bucket, by name (blocking, bounded by the load timeout). */
    public Map<String, byte[]> loadTopics() throws Exception {
        Map<String, byte[]> topics = new TreeMap<>();
        for (ObjectStore.ObjectInfo o : store.list(layout.topicsPrefix()).get(loadTimeout.toMillis(),
                TimeUnit.MILLISECONDS)) {
            String name = layout.topicOf(o.key());
            if (name != null) {
                topics.put(name, store.get(o.key()).get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        return topics;
    }

    /** Forgets a topic's uploads and deletes its definition and every object of its partitions. */
    public CompletableFuture<Void> deleteTopic(String topic, List<RemoteLog> partitions) {
        partitions.forEach(uploader::cancel);
        return store.delete(List.of(layout.topicKey(topic)))
                .thenCompose(v -> store.list(layout.topicPrefix(topic)))
                .thenCompose(objects -> store.delete(objects.stream().map(ObjectStore.ObjectInfo::key).toList()));
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
        for (RemoteSegment s : expired) {
            chain = chain.thenCompose(v -> deleteSegment(remote, s));
        }
        return chain;
    }

    private CompletableFuture<Void> deleteSegment(RemoteLog remote, RemoteSegment s) {
        String t = remote.topic();
        int p = remote.partition();
        return store.delete(List.of(layout.segmentKey(t, p, s.baseOffset(), s.leaderEpoch(), TierLayout.META)))
                .thenRun(() -> remote.removeByRetention(s))
                .thenCompose(v -> store.delete(List.of(
                        layout.segmentKey(t, p, s.baseOffset(), s.leaderEpoch(), TierLayout.LOG),
                        layout.segmentKey(t, p, s.baseOffset(), s.leaderEpoch(), TierLayout.INDEX),
                        layout.segmentKey(t, p, s.baseOffset(), s.leaderEpoch(), TierLayout.TIME_INDEX))))
                .thenRun(() -> LOG.log(System.Logger.Level.INFO, "{0}-{1}: deleted remote segment {2} by retention",
                        t, p, s.baseOffset()));
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
