package io.sluice.broker;

import io.sluice.group.GroupSettings;
import io.sluice.log.CleanerConfig;
import io.sluice.log.LogConfig;
import io.sluice.log.SegmentFileCache;
import java.nio.file.Path;

/**
 * Everything a {@link Broker} is built from. Plain values, so tests build a broker without a
 * container.
 *
 * @param fsync                 fsync appends before they are acknowledged and made visible
 * @param ioThreads             threads shared by every partition's single writer
 * @param fetchThreads          threads that read the log for fetches and consumers
 * @param maintenanceIntervalMs how often retention, time-based rolling and the recovery-point checkpoint run
 * @param maxOpenSegmentFiles   how many closed segments' files stay open across all partitions when idle
 *                              (the active segment of each partition holds one more)
 * @param produceLimits         what produce requests and queued appends may hold
 * @param cluster               the cluster this broker joins (a cluster of one by default)
 * @param groups                consumer groups: heartbeats, session timeouts, offsets retention and topic
 * @param cleaner               how compacted topics are cleaned ({@code sluice.log.cleaner.*})
 */
public record BrokerConfig(Path dataDir, int brokerId, boolean fsync, int ioThreads, int fetchThreads,
        LogConfig logDefaults, long maintenanceIntervalMs, int maxOpenSegmentFiles, ProduceLimits produceLimits,
        ClusterSettings cluster, GroupSettings groups, CleanerConfig cleaner) {

    /** A config with the default cleaner. */
    public BrokerConfig(Path dataDir, int brokerId, boolean fsync, int ioThreads, int fetchThreads,
            LogConfig logDefaults, long maintenanceIntervalMs, int maxOpenSegmentFiles, ProduceLimits produceLimits,
            ClusterSettings cluster, GroupSettings groups) {
        this(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                maxOpenSegmentFiles, produceLimits, cluster, groups, CleanerConfig.defaults());
    }

    /** A config with the default bound on open segment files and the default produce limits. */
    public BrokerConfig(Path dataDir, int brokerId, boolean fsync, int ioThreads, int fetchThreads,
            LogConfig logDefaults, long maintenanceIntervalMs) {
        this(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                SegmentFileCache.DEFAULT_MAX_OPEN, ProduceLimits.defaults(), ClusterSettings.single(),
                GroupSettings.defaults(), CleanerConfig.defaults());
    }

    public static BrokerConfig defaults(Path dataDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new BrokerConfig(dataDir, 0, true, Math.max(2, cores), Math.max(2, cores), LogConfig.defaults(),
                5_000);
    }

    public BrokerConfig withFsync(boolean on) {
        return new BrokerConfig(dataDir, brokerId, on, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                maxOpenSegmentFiles, produceLimits, cluster, groups, cleaner);
    }

    public BrokerConfig withMaintenanceIntervalMs(long ms) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults, ms,
                maxOpenSegmentFiles, produceLimits, cluster, groups, cleaner);
    }

    public BrokerConfig withMaxOpenSegmentFiles(int max) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults,
                maintenanceIntervalMs, max, produceLimits, cluster, groups, cleaner);
    }

    public BrokerConfig withProduceLimits(ProduceLimits limits) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults,
                maintenanceIntervalMs, maxOpenSegmentFiles, limits, cluster, groups, cleaner);
    }

    public BrokerConfig withCluster(ClusterSettings settings) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults,
                maintenanceIntervalMs, maxOpenSegmentFiles, produceLimits, settings, groups, cleaner);
    }

    public BrokerConfig withGroups(GroupSettings settings) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults,
                maintenanceIntervalMs, maxOpenSegmentFiles, produceLimits, cluster, settings, cleaner);
    }

    public BrokerConfig withBrokerId(int id) {
        return new BrokerConfig(dataDir, id, fsync, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                maxOpenSegmentFiles, produceLimits, cluster, groups, cleaner);
    }

    public BrokerConfig withCleaner(CleanerConfig settings) {
        return new BrokerConfig(dataDir, brokerId, fsync, ioThreads, fetchThreads, logDefaults, maintenanceIntervalMs,
                maxOpenSegmentFiles, produceLimits, cluster, groups, settings);
    }
}
