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

    Tier tier();

    Limits limits();

    /**
     * What produce requests may take from the broker ({@code sluice.limits.*}): past these a request
     * is refused with 413, 429 or 503 before anything of it is written.
     */
    interface Limits {
        /** Heap that produce requests being read, parsed and answered may hold at once; unset: a quarter of the max heap. */
        Optional<Long> requestMemoryBytes();

        /** Largest produce body (declared by Content-Length, or counted as a chunked body arrives). */
        @WithDefault("67108864")
        long maxRequestBytes();

        /** Most records in one produce request. */
        @WithDefault("100000")
        int maxRecordsPerRequest();

        /** Encoded bytes queued for one partition's writer; past it a produce is refused with 429. */
        @WithDefault("67108864")
        long partitionInFlightBytes();

        /** Records a {@code /ws/produce} connection may have sent and not yet had answered. */
        @WithDefault("1000")
        int wsProduceOutstandingRecords();

        /** Bytes of records a {@code /ws/produce} connection may have sent and not yet had answered. */
        @WithDefault("16777216")
        long wsProduceOutstandingBytes();
    }

    /** The object-store tier (API.md names). */
    interface Tier {
        /** Default of the topic config {@code remote.storage.enable}. */
        @WithDefault("true")
        boolean enabled();

        S3 s3();

        /** Concurrent segment uploads. */
        @WithDefault("4")
        int uploadConcurrency();

        /** Memory for cached remote segment chunks. */
        @WithDefault("67108864")
        long readCacheBytes();

        /** Health alarm when the data dir's free space falls below this. */
        @WithDefault("1073741824")
        long diskHeadroomAlarmBytes();

        interface S3 {
            /** Unset: an embedded S3-compatible store under the data dir. */
            Optional<String> endpoint();

            @WithDefault("sluice")
            String bucket();

            /** Unset: the cluster name. */
            Optional<String> prefix();

            @WithDefault("us-east-1")
            String region();

            Optional<String> accessKey();

            Optional<String> secretKey();

            /** Port of the embedded store; 0 picks a free one. */
            @WithDefault("0")
            int embeddedPort();
        }
    }

    Consume consume();

    /**
     * Memory and connection bounds of the read path: WebSocket readers and REST fetch replies. A
     * reader that never reads holds at most {@code connection-bytes}; all of them together and
     * every fetch reply in flight hold at most {@code outbound-budget-bytes}.
     */
    interface Consume {
        /** Bytes of outbound frames and fetch replies held at once, broker-wide. Unset: a quarter of the smaller of max heap and max direct memory. */
        Optional<Long> outboundBudgetBytes();

        /** Bytes one WebSocket reader may have handed to its socket and not yet written out. */
        @WithDefault("131072")
        int connectionBytes();

        /** Open {@code /ws/consume} sessions at most. Unset: as many as fit in the budget at {@code connection-bytes} each, at most 10,000. */
        Optional<Integer> maxSessions();

        /** A reader whose socket writes nothing out for this long is disconnected. */
        @WithDefault("60000")
        long drainTimeoutMs();
    }

    Cluster cluster();

    /**
     * The cluster this broker joins ({@code sluice.cluster.*}). With neither {@code members} nor
     * {@code dns-query} the broker is a cluster of one.
     */
    interface Cluster {
        /** The JGroups cluster name, and the bucket prefix unless one is set. */
        @WithDefault("sluice")
        String name();

        /** Every socket between brokers binds to it, listening and connecting (JGroups, replication, forwarding). */
        @WithDefault("127.0.0.1")
        String bindAddress();

        /** The JGroups TCP port. */
        @WithDefault("7800")
        int bindPort();

        /** Seeds {@code host:port,...} (TCPPING). */
        Optional<String> members();

        /** The DNS name of a headless Service listing the brokers (DNS_PING). */
        Optional<String> dnsQuery();

        /** The host clients reach this broker's HTTP API at, as {@code GET /cluster} lists it; unset: the bind address. */
        Optional<String> advertisedHost();

        /**
         * Controlled shutdown: how long a stopping broker (SIGTERM) waits for its leaderships to move to
         * other in-sync replicas before it closes; 0 skips the drain. A broker alone never drains.
         */
        @WithDefault("30000")
        long shutdownDrainTimeoutMs();
    }

    Replication replication();

    /** The inter-broker listener and how followers keep up ({@code sluice.replication.*}). */
    interface Replication {
        /** The inter-broker listener's port (replication and forwarded requests). */
        @WithDefault("9093")
        int port();

        /** A follower that has not caught up for this long leaves the ISR (Kafka's replica.lag.time.max.ms). */
        @WithDefault("10000")
        long lagTimeMaxMs();

        /** How long an acks=all produce waits for the in-sync replicas before it answers NOT_ENOUGH_REPLICAS_AFTER_APPEND. */
        @WithDefault("30000")
        long ackTimeoutMs();
    }

    Group group();

    /**
     * Consumer groups ({@code sluice.group.*}): how members heartbeat and time out, how long an
     * empty group keeps its committed offsets, and the internal {@code __consumer_offsets} topic.
     */
    interface Group {
        /**
         * How often a member of a stable group heartbeats (the coordinator says so in every reply). It
         * bounds how soon a member learns of partitions freed by another's leave, so it is short.
         */
        @WithDefault("250")
        long heartbeatIntervalMs();

        /** A member's session timeout unless its connection asks for another (sessionTimeoutMs). */
        @WithDefault("45000")
        long sessionTimeoutMs();

        /** The shortest session timeout a member may ask for. */
        @WithDefault("1000")
        long minSessionTimeoutMs();

        /** The longest session timeout a member may ask for. */
        @WithDefault("1800000")
        long maxSessionTimeoutMs();

        /** How long a group with no members keeps its committed offsets (Kafka's offsets.retention.minutes). */
        @WithDefault("10080")
        long offsetsRetentionMinutes();

        /** Replication factor of __consumer_offsets, capped by the brokers registered when it is created. */
        @WithDefault("3")
        int offsetsTopicReplicationFactor();

        /** The most members one group takes. */
        @WithDefault("1000")
        int maxSize();
    }

    /** Rack or zone, for replica placement. */
    Optional<String> rack();

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

        /** Default {@code local.retention.ms}: -2 keeps local segments as long as the total retention. */
        @WithDefault("-2")
        long localRetentionMs();

        /** Default {@code local.retention.bytes}: -2 keeps local segments as long as the total retention. */
        @WithDefault("-2")
        long localRetentionBytes();

        /** Threads shared by every partition's writer; unset: one per core, at least two. */
        Optional<Integer> ioThreads();

        /** Threads that read logs for fetches and consumers; unset: one per core, at least two. */
        Optional<Integer> fetchThreads();

        /** How often retention, time-based segment rolling and the recovery-point checkpoint run. */
        @WithDefault("5000")
        long maintenanceIntervalMs();

        /**
         * Files of closed segments kept open across all partitions when idle (least recently read
         * closed first); each partition's active segment holds one file more.
         */
        @WithDefault("1024")
        int maxOpenSegmentFiles();

        /** The log cleaner of compacted topics ({@code cleanup.policy=compact}). */
        Cleaner cleaner();

        /** One cleaner thread per broker; Kafka's {@code log.cleaner.*} where Kafka has the setting. */
        interface Cleaner {
            /** Whether compacted topics are cleaned at all. */
            @WithDefault("true")
            boolean enable();

            /** Memory for the key map of a pass (24 bytes a key): a pass maps at most this much of the dirty log. */
            @WithDefault("33554432")
            long dedupeBufferBytes();

            /** How much of a segment one read takes while cleaning. */
            @WithDefault("1048576")
            int ioBufferBytes();

            /** A log is cleaned once its dirty bytes are this share of its cleanable bytes. */
            @WithDefault("0.5")
            double minCleanableRatio();

            /** How long the cleaner rests between looks at the logs. */
            @WithDefault("15000")
            long backoffMs();
        }
    }
}
