package io.sluice.config;

import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.BrokerConfig;
import io.sluice.log.LogConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Builds the one {@link Broker} of this process from {@link SluiceConfig} at start-up (so log
 * recovery runs before the broker reports ready) and closes it, flushing every log, at shutdown.
 */
@ApplicationScoped
public class BrokerProducer {
    private static final System.Logger LOG = System.getLogger(BrokerProducer.class.getName());

    @Produces
    @Singleton
    @Startup
    Broker broker(SluiceConfig config) {
        SluiceConfig.Log log = config.log();
        int cores = Runtime.getRuntime().availableProcessors();
        LogConfig defaults = new LogConfig(log.segmentBytes(), log.segmentMs(), log.retentionMs(),
                log.retentionBytes(), log.maxMessageBytes(), LogConfig.DEFAULT_INDEX_INTERVAL_BYTES,
                config.tier().enabled(), log.localRetentionMs(), log.localRetentionBytes());
        BrokerConfig brokerConfig = new BrokerConfig(Path.of(config.dataDir()).toAbsolutePath(), config.brokerId(),
                log.fsync(), log.ioThreads().orElse(Math.max(2, cores)), log.fetchThreads().orElse(Math.max(2, cores)),
                defaults, log.maintenanceIntervalMs());
        long start = System.nanoTime();
        try {
            Broker broker = new Broker(brokerConfig);
            LOG.log(System.Logger.Level.INFO, "broker {0} opened {1} topics from {2} in {3} ms (fsync={4})",
                    config.brokerId(), broker.topics().size(), brokerConfig.dataDir(),
                    (System.nanoTime() - start) / 1_000_000, log.fsync());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("opening the broker's data dir " + brokerConfig.dataDir(), e);
        }
    }

    void close(@Disposes Broker broker) {
        broker.close();
    }
}
