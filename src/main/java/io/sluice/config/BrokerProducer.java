package io.sluice.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.ClusterSettings;
import io.sluice.cluster.ClusterConfig;
import io.sluice.group.GroupSettings;
import io.sluice.replication.ReplicationSettings;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.sluice.broker.BrokerConfig;
import io.sluice.broker.ProduceLimits;
import io.sluice.log.CleanerConfig;
import io.sluice.log.LogConfig;
import io.sluice.tier.EmbeddedS3;
import io.sluice.tier.S3ObjectStore;
import io.sluice.tier.S3Settings;
import io.sluice.tier.Tier;
import io.sluice.tier.TierLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Builds the one {@link Broker} of this process from {@link SluiceConfig} at start-up (so log
 * recovery and the restore from the bucket run before the broker reports ready) and closes it,
 * flushing every log, at shutdown. Without an S3 endpoint it starts the embedded S3-compatible
 * store under the data dir, so the tier always runs the same S3 code path.
 */
@ApplicationScoped
public class BrokerProducer {
    private static final System.Logger LOG = System.getLogger(BrokerProducer.class.getName());
    private static final Duration S3_CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STARTUP_LOAD_TIMEOUT = Duration.ofSeconds(10);

    @Produces
    @Singleton
    @Startup
    Broker broker(SluiceConfig config, @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort) {
        SluiceConfig.Log log = config.log();
        int cores = Runtime.getRuntime().availableProcessors();
        LogConfig defaults = new LogConfig(log.segmentBytes(), log.segmentMs(), log.retentionMs(),
                log.retentionBytes(), log.maxMessageBytes(), LogConfig.DEFAULT_INDEX_INTERVAL_BYTES,
                config.tier().enabled(), log.localRetentionMs(), log.localRetentionBytes());
        Path dataDir = Path.of(config.dataDir()).toAbsolutePath();
        BrokerConfig brokerConfig = new BrokerConfig(dataDir, config.brokerId(),
                log.fsync(), log.ioThreads().orElse(Math.max(2, cores)), log.fetchThreads().orElse(Math.max(2, cores)),
                defaults, log.maintenanceIntervalMs(), log.maxOpenSegmentFiles(), produceLimits(config.limits()),
                clusterSettings(config, httpPort), groupSettings(config.group()))
                .withCleaner(new CleanerConfig(log.cleaner().enable(), log.cleaner().dedupeBufferBytes(),
                        log.cleaner().ioBufferBytes(), log.cleaner().minCleanableRatio(), log.cleaner().backoffMs()));
        long start = System.nanoTime();
        try {
            Tier tier = startTier(config, dataDir);
            Broker broker = new Broker(brokerConfig, tier);
            LOG.log(System.Logger.Level.INFO, "broker {0} opened {1} topics from {2} in {3} ms (fsync={4})",
                    config.brokerId(), broker.topics().size(), dataDir, (System.nanoTime() - start) / 1_000_000,
                    log.fsync());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("opening the broker's data dir " + dataDir, e);
        }
    }

    private static ClusterSettings clusterSettings(SluiceConfig config, int httpPort) {
        SluiceConfig.Cluster c = config.cluster();
        List<String> members = c.members().map(m -> Arrays.stream(m.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        ReplicationSettings replication = ReplicationSettings.defaults()
                .withReplicaLagTimeMaxMs(config.replication().lagTimeMaxMs())
                .withAckTimeoutMs(config.replication().ackTimeoutMs());
        return new ClusterSettings(c.name(), c.bindAddress(), c.bindPort(), members, c.dnsQuery().orElse(null),
                config.rack().orElse(null), config.replication().port(), c.advertisedHost().orElse(c.bindAddress()),
                httpPort, replication, ClusterConfig.Timings.DEFAULT)
                .withShutdownDrainTimeoutMs(c.shutdownDrainTimeoutMs());
    }

    private static GroupSettings groupSettings(SluiceConfig.Group g) {
        GroupSettings defaults = GroupSettings.defaults();
        if (g.minSessionTimeoutMs() > g.sessionTimeoutMs() || g.sessionTimeoutMs() > g.maxSessionTimeoutMs()
                || g.minSessionTimeoutMs() <= 0 || g.heartbeatIntervalMs() <= 0 || g.maxSize() <= 0
                || g.offsetsTopicReplicationFactor() <= 0 || g.offsetsRetentionMinutes() <= 0) {
            throw new IllegalArgumentException("sluice.group: session-timeout-ms=" + g.sessionTimeoutMs()
                    + " must lie in [min-session-timeout-ms=" + g.minSessionTimeoutMs() + ", max-session-timeout-ms="
                    + g.maxSessionTimeoutMs() + "], and heartbeat-interval-ms, max-size, "
                    + "offsets-topic-replication-factor and offsets-retention-minutes must be positive");
        }
        return new GroupSettings(g.heartbeatIntervalMs(), defaults.rebalanceHeartbeatMs(), g.sessionTimeoutMs(),
                g.minSessionTimeoutMs(), g.maxSessionTimeoutMs(), TimeUnit.MINUTES.toMillis(g.offsetsRetentionMinutes()),
                g.offsetsTopicReplicationFactor(), g.maxSize());
    }

    private static ProduceLimits produceLimits(SluiceConfig.Limits limits) {
        return new ProduceLimits(limits.requestMemoryBytes().orElse(ProduceLimits.defaultRequestMemoryBytes()),
                limits.maxRequestBytes(), limits.maxRecordsPerRequest(), limits.partitionInFlightBytes());
    }

    private Tier startTier(SluiceConfig config, Path dataDir) {
        SluiceConfig.Tier.S3 s3 = config.tier().s3();
        S3Settings settings = new S3Settings(s3.endpoint().map(URI::create), s3.bucket(),
                s3.prefix().orElse(config.cluster().name()), s3.region(), s3.accessKey(), s3.secretKey());
        TierLayout layout = new TierLayout(settings.prefix());
        if (s3.endpoint().isPresent()) {
            LOG.log(System.Logger.Level.INFO, "tier: bucket {0} at {1}", s3.bucket(), s3.endpoint().get());
            return newTier(config, S3ObjectStore.connect(settings, S3_CALL_TIMEOUT), layout);
        }
        for (int attempt = 1; ; attempt++) {
            // The server and the client both take a few hundred milliseconds to start, on the path to
            // readiness: start them side by side, on a port chosen up front.
            int port = s3.embeddedPort() != 0 ? s3.embeddedPort() : EmbeddedS3.freeLoopbackPort();
            CompletableFuture<EmbeddedS3> server = CompletableFuture.supplyAsync(() -> {
                try {
                    return EmbeddedS3.start(dataDir.resolve("s3"), port);
                } catch (Exception e) {
                    throw new IllegalStateException("starting the embedded S3-compatible store on port " + port, e);
                }
            });
            S3ObjectStore store = S3ObjectStore.connect(settings.withEndpoint(URI.create("http://127.0.0.1:" + port),
                    EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY), S3_CALL_TIMEOUT);
            try {
                EmbeddedS3 embedded = server.join();
                LOG.log(System.Logger.Level.INFO, "tier: embedded S3-compatible store at {0}", embedded.endpoint());
                Tier tier = newTier(config, store, layout);
                tier.closeAfter(embedded);
                return tier;
            } catch (CompletionException e) {
                store.close();
                if (attempt == 3 || s3.embeddedPort() != 0) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "port {0} was taken before the embedded store bound it; again", port);
            }
        }
    }

    private static Tier newTier(SluiceConfig config, S3ObjectStore store, TierLayout layout) {
        return new Tier(store, layout, System::currentTimeMillis, config.tier().uploadConcurrency(),
                config.tier().readCacheBytes(), STARTUP_LOAD_TIMEOUT);
    }

    /**
     * Controlled shutdown (SIGTERM): before the broker bean is disposed, a broker of a cluster hands its
     * leaderships to other in-sync replicas, bounded by {@code sluice.cluster.shutdown-drain-timeout-ms}.
     * The broker's own replication listener and metadata store still run; only the HTTP API may be gone.
     */
    void drainBeforeShutdown(@Observes ShutdownEvent event, Broker broker) {
        broker.drainForShutdown();
    }

    /** Closes the broker (flushing every log), then its tier and the embedded store if any. */
    void close(@Disposes Broker broker) {
        broker.close();
        if (broker.tier() != null) {
            broker.tier().close();
        }
    }
}
