package io.sluice.broker;

import io.sluice.log.LogConfig;
import java.nio.file.Path;

/**
 * Everything a {@link Broker} is built from. Plain values, so tests build a broker without a
 * container.
 *
 * @param fsync                 fsync appends before they are acknowledged and made visible
 * @param ioThreads             threads shared by every partition's single writer
 * @param fetchThreads          threads that read the log for fetches and consumers
 * @param maintenanceIntervalMs how often retention and time-based rolling are checked
 * @param produceLimits         what produce requests and queued appends may hold
 */
public record BrokerConfig(Path dataDir, int brokerId, boolean fsync, int ioThreads, int fetchThreads,
        LogConfig logDefaults, long maintenanceIntervalMs, ProduceLimits produceLimits) {

    /** A config with the default produce limits. */
    public BrokerConfig(Path dataDir, int brokerId, boolean fsync, int ioThreads, int fetchThreads,
            LogConfig logDefaults, long maintenanceIntervalMs) {
        this(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                ProduceLimits.defaults());
    }

    public static BrokerConfig defaults(Path dataDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new BrokerConfig(dataDir, 0, true, Math.max(2, cores), Math.max(2, cores), LogConfig.defaults(),
                5_000);
    }

    public BrokerConfig withProduceLimits(ProduceLimits limits) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults,
                maintenanceIntervalMs, limits);
    }
}
