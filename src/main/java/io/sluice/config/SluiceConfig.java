package io.sluice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** The broker's configuration ({@code sluice.*}): system properties, env vars or application.properties. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {
    /** Hot segments and local state. */
    @WithDefault("./data")
    String dataDir();

    /** This broker's id, stable across restarts. */
    @WithDefault("0")
    int brokerId();

    Log log();

    /** Defaults for every topic's log, and how the log is written. */
    interface Log {
        /** fsync an append before it is acknowledged (acks=all) and before consumers see it. */
        @WithDefault("true")
        boolean fsync();

        @WithDefault("134217728")
        int segmentBytes();

        @WithDefault("604800000")
        long segmentMs();

        @WithDefault("604800000")
        long retentionMs();

        @WithDefault("-1")
        long retentionBytes();

        @WithDefault("1048588")
        int maxMessageBytes();

        /** Threads shared by every partition's writer; unset: one per core, at least two. */
        Optional<Integer> ioThreads();

        /** Threads that read logs for fetches and consumers; unset: one per core, at least two. */
        Optional<Integer> fetchThreads();

        /** How often retention and time-based segment rolling are checked. */
        @WithDefault("5000")
        long maintenanceIntervalMs();
    }
}
