package io.sluice.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.PartitionInfo;
import io.sluice.broker.Topic;
import io.sluice.error.SluiceException;
import io.sluice.tier.Tier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Per-partition gauges (log end offset, high watermark, log start offset, segments, bytes) and the
 * broker's tier gauges, each with the description Prometheus shows as HELP. Refreshed on the
 * broker's scheduler so topics created at run time appear; every meter tagged with a deleted
 * topic (these, and the produce and fetch meters) is removed, at deletion and by the refresh.
 */
@Startup
@ApplicationScoped
public class LogMetrics {
    private static final long REFRESH_SECONDS = 5;
    static final String TOPIC_TAG = "topic";
    private static final String PREFIX = "sluice.";
    /** How long one reading of a partition's state serves its gauges. */
    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Broker broker;
    private final MeterRegistry registry;
    private final List<Runnable> refreshers = new ArrayList<>();
    private final Map<PartitionKey, Sampler> samplers = new ConcurrentHashMap<>();

    public LogMetrics(Broker broker, MeterRegistry registry, ConsumeSocket consumers) {
        this.broker = broker;
        this.registry = registry;
        partitionGauge("sluice.log.end.offset", "Offset the next record appended to the partition gets",
                PartitionInfo::logEndOffset);
        partitionGauge("sluice.log.high.watermark", "Offset up to which records are durable and readable",
                PartitionInfo::highWatermark);
        // Named before the tier existed: the local log's start, as sluice.log.local.start.offset.
        partitionGauge("sluice.log.start.offset", "First offset of the partition's local log",
                PartitionInfo::localLogStartOffset);
        partitionGauge("sluice.log.segments", "Local segment files of the partition", PartitionInfo::segments);
        partitionGauge("sluice.log.size.bytes", "Bytes of the partition's local segments", PartitionInfo::sizeBytes);
        partitionGauge("sluice.log.waiting.readers",
                "Fetches and WebSocket readers waiting for the partition's next records", PartitionInfo::waitingReaders);
        partitionGauge("sluice.log.tiered.bytes", "Bytes of the partition uploaded to the object store",
                PartitionInfo::tieredBytes);
        partitionGauge("sluice.log.local.start.offset", "First offset of the partition stored on local disk",
                PartitionInfo::localLogStartOffset);
        partitionGauge("sluice.partition.isr.size", "In-sync replicas of the partition", p -> p.isr().size());
        partitionGauge("sluice.partition.replicas", "Assigned replicas of the partition", p -> p.replicas().size());
        partitionGauge("sluice.replication.follower.lag.max",
                "Offsets the furthest follower trails the leader by (on the leader; 0 elsewhere)",
                PartitionInfo::maxFollowerLag);
        Gauge.builder("sluice.ws.consumers", consumers, ConsumeSocket::openSessions)
                .description("Open /ws/consume sessions").register(registry);
        Gauge.builder("sluice.disk.free.bytes", broker, b -> StorageHealth.freeBytes(b.config().dataDir()))
                .description("Free bytes on the data directory's file system").baseUnit("bytes").register(registry);
        Gauge.builder("sluice.maintenance.failures", broker, Broker::maintenanceFailures)
                .description("Maintenance steps (rolls, retention, uploads, checkpoints) that failed since start")
                .register(registry);
        Gauge.builder("sluice.log.open.segment.files", broker, Broker::openSegmentFiles)
                .description("Closed segment files held open for readers").register(registry);
        FunctionCounter.builder("sluice.log.cleaner.cleaned", broker, b -> b.logCleaner().bytesCleaned())
                .description("Bytes of compacted topics' segments the log cleaner read and rewrote")
                .baseUnit("bytes").register(registry);
        FunctionCounter.builder("sluice.log.cleaner.runs", broker, b -> b.logCleaner().passes())
                .description("Compaction passes the log cleaner ran").register(registry);
        FunctionCounter.builder("sluice.log.cleaner.failures", broker, b -> b.logCleaner().failures())
                .description("Compaction passes that failed (each logged; the log stays as it was)")
                .register(registry);
        Tier tier = broker.tier();
        if (tier != null) {
            tierGauge(tier, "sluice.tier.upload.backlog.segments", "Closed segments waiting to be uploaded",
                    t -> t.uploader().backlogSegments());
            tierGauge(tier, "sluice.tier.upload.backlog.bytes", "Bytes of closed segments waiting to be uploaded",
                    t -> t.uploader().backlogBytes());
            tierGauge(tier, "sluice.tier.uploaded.bytes", "Bytes uploaded to the object store since start",
                    t -> t.uploader().uploadedBytes());
            tierGauge(tier, "sluice.tier.upload.failed.attempts", "Segment uploads that failed and were retried",
                    t -> t.uploader().failedAttempts());
            tierGauge(tier, "sluice.tier.cache.hits", "Remote reads served from the read cache",
                    t -> t.reader().cacheHits());
            tierGauge(tier, "sluice.tier.cache.misses", "Remote reads that went to the object store",
                    t -> t.reader().cacheMisses());
            tierGauge(tier, "sluice.tier.cache.bytes", "Bytes held by the remote read cache",
                    t -> t.reader().cacheBytes());
        }
        broker.scheduler().scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** Removes every Sluice meter of a topic that was just deleted. */
    public void topicDeleted(String topic) {
        samplers.keySet().removeIf(k -> k.topic().equals(topic));
        for (Meter m : registry.getMeters()) {
            if (m.getId().getName().startsWith(PREFIX) && topic.equals(m.getId().getTag(TOPIC_TAG))) {
                registry.remove(m);
            }
        }
    }

    private void tierGauge(Tier tier, String name, String description, ToDoubleFunction<Tier> value) {
        Gauge.builder(name, tier, value).description(description).register(registry);
    }

    private void partitionGauge(String name, String description, ToDoubleFunction<PartitionInfo> value) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).register(registry);
        refreshers.add(() -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (Topic t : broker.topics()) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    rows.add(MultiGauge.Row.of(Tags.of(TOPIC_TAG, t.name(), "partition", Integer.toString(p)),
                            partition(t.name(), p), s -> s.value(value)));
                }
            }
            gauge.register(rows, true);
        });
    }

    private record PartitionKey(String topic, int partition) {
    }

    /** The sampler of one partition, shared by all its gauges: one scrape reads the partition once. */
    private Sampler partition(String topic, int partition) {
        return samplers.computeIfAbsent(new PartitionKey(topic, partition), k -> new Sampler(broker, topic, partition));
    }

    /**
     * Reads a partition's state through the broker, by name, at most once per {@link #SAMPLE_NANOS}:
     * a scrape asks every gauge of the partition in turn, and each would otherwise read it again.
     */
    private static final class Sampler {
        private final Broker broker;
        private final String topic;
        private final int partition;
        private PartitionInfo last;
        private long sampledAt;

        Sampler(Broker broker, String topic, int partition) {
            this.broker = broker;
            this.topic = topic;
            this.partition = partition;
        }

        synchronized double value(ToDoubleFunction<PartitionInfo> value) {
            long now = System.nanoTime();
            if (last == null || now - sampledAt > SAMPLE_NANOS) {
                try {
                    last = broker.partitionInfo(topic, partition);
                    sampledAt = now;
                } catch (SluiceException deleted) {
                    return Double.NaN; // its meters go at the next refresh
                }
            }
            return value.applyAsDouble(last);
        }
    }

    private void refresh() {
        refreshers.forEach(Runnable::run);
        removeMetersOfDeletedTopics();
    }

    /**
     * Meters are listed before the topics: a meter is only made for a topic that exists, so one
     * whose topic is missing from the later list belongs to a deleted topic, never a new one.
     */
    private void removeMetersOfDeletedTopics() {
        List<Meter> meters = new ArrayList<>(registry.getMeters());
        Set<String> live = new HashSet<>();
        broker.topics().forEach(t -> live.add(t.name()));
        samplers.keySet().removeIf(k -> !live.contains(k.topic()));
        for (Meter m : meters) {
            String topic = m.getId().getTag(TOPIC_TAG);
            if (topic != null && m.getId().getName().startsWith(PREFIX) && !live.contains(topic)) {
                registry.remove(m);
            }
        }
    }
}
