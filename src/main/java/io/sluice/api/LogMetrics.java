package io.sluice.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.Partition;
import io.sluice.broker.Topic;
import io.sluice.log.PartitionLog;
import io.sluice.tier.Tier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Per-partition gauges (log end offset, high watermark, log start offset, segments, bytes),
 * refreshed on the broker's scheduler so topics created or deleted at run time appear and vanish.
 */
@Startup
@ApplicationScoped
public class LogMetrics {
    private static final long REFRESH_SECONDS = 5;

    private final Broker broker;
    private final List<Runnable> refreshers = new ArrayList<>();

    public LogMetrics(Broker broker, MeterRegistry registry, ConsumeSocket consumers) {
        this.broker = broker;
        gauge(registry, "sluice.log.end.offset", PartitionLog::logEndOffset);
        gauge(registry, "sluice.log.high.watermark", PartitionLog::highWatermark);
        gauge(registry, "sluice.log.start.offset", PartitionLog::logStartOffset);
        gauge(registry, "sluice.log.segments", PartitionLog::segmentCount);
        gauge(registry, "sluice.log.size.bytes", PartitionLog::sizeInBytes);
        gauge(registry, "sluice.log.waiting.readers", PartitionLog::waitingReaders);
        partitionGauge(registry, "sluice.log.tiered.bytes", Partition::tieredBytes);
        partitionGauge(registry, "sluice.log.local.start.offset", Partition::localLogStartOffset);
        registry.gauge("sluice.ws.consumers", consumers, ConsumeSocket::openSessions);
        registry.gauge("sluice.disk.free.bytes", broker, b -> StorageHealth.freeBytes(b.config().dataDir()));
        registry.gauge("sluice.maintenance.failures", broker, Broker::maintenanceFailures);
        registry.gauge("sluice.log.open.segment.files", broker, Broker::openSegmentFiles);
        Tier tier = broker.tier();
        if (tier != null) {
            registry.gauge("sluice.tier.upload.backlog.segments", tier, t -> t.uploader().backlogSegments());
            registry.gauge("sluice.tier.upload.backlog.bytes", tier, t -> t.uploader().backlogBytes());
            registry.gauge("sluice.tier.uploaded.bytes", tier, t -> t.uploader().uploadedBytes());
            registry.gauge("sluice.tier.upload.failed.attempts", tier, t -> t.uploader().failedAttempts());
            registry.gauge("sluice.tier.cache.hits", tier, t -> t.reader().cacheHits());
            registry.gauge("sluice.tier.cache.misses", tier, t -> t.reader().cacheMisses());
            registry.gauge("sluice.tier.cache.bytes", tier, t -> t.reader().cacheBytes());
        }
        broker.scheduler().scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<PartitionLog> value) {
        partitionGauge(registry, name, p -> value.applyAsDouble(p.log()));
    }

    private void partitionGauge(MeterRegistry registry, String name, ToDoubleFunction<Partition> value) {
        MultiGauge gauge = MultiGauge.builder(name).register(registry);
        refreshers.add(() -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (Topic t : broker.topics()) {
                for (Partition p : t.partitions()) {
                    rows.add(MultiGauge.Row.of(Tags.of("topic", t.name(), "partition", Integer.toString(p.id())),
                            p, value));
                }
            }
            gauge.register(rows, true);
        });
    }

    private void refresh() {
        refreshers.forEach(Runnable::run);
    }
}
