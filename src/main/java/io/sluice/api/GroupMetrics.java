package io.sluice.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.GroupDescription;
import io.sluice.group.PartitionLag;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Per-group gauges for the groups this broker coordinates (each group is counted once in a
 * cluster, by its coordinator): lag summed and at its largest over the group's partitions,
 * members, rebalances and how long the last one took. Refreshed on the broker's scheduler from
 * the coordinator's own view (no request leaves the broker); a group that moves to another
 * coordinator or is deleted loses its rows at the next refresh.
 */
@Startup
@ApplicationScoped
public class GroupMetrics {
    static final String GROUP_TAG = "group";
    private static final long REFRESH_SECONDS = 5;

    /** One group's numbers at the last refresh. */
    record Sample(long lagSum, long lagMax, GroupCoordinator.RebalanceStats stats) {
    }

    private final Broker broker;
    private final Map<String, Sample> samples = new ConcurrentHashMap<>();
    private final List<Runnable> refreshers = new ArrayList<>();

    public GroupMetrics(Broker broker, MeterRegistry registry) {
        this.broker = broker;
        gauge(registry, "sluice.group.lag.sum", "Records behind the end, summed over the group's partitions"
                + " (partitions with a committed offset)", Sample::lagSum);
        gauge(registry, "sluice.group.lag.max", "Records behind the end in the group's furthest-behind partition",
                Sample::lagMax);
        gauge(registry, "sluice.group.members", "Live members of the group", s -> s.stats().members());
        gauge(registry, "sluice.group.rebalances", "Rebalances of the group completed since this broker took it over",
                s -> s.stats().rebalances());
        gauge(registry, "sluice.group.rebalance.last.ms", "How long the group's last rebalance took, from its"
                + " trigger to every member owning its target", s -> s.stats().lastRebalanceMs());
        broker.scheduler().scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Sample> value) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).register(registry);
        refreshers.add(() -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            samples.forEach((group, sample) -> rows.add(MultiGauge.Row.of(Tags.of(GROUP_TAG, group), sample, value)));
            gauge.register(rows, true);
        });
    }

    private CompletableFuture<GroupDescription> describe(String group) {
        try {
            return broker.describeGroup(group);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Samples every group this broker coordinates; a group whose description fails keeps no row. */
    void refresh() {
        Map<String, GroupCoordinator.RebalanceStats> stats;
        try {
            stats = broker.groupRebalanceStats();
        } catch (RuntimeException e) {
            stats = Map.of();
        }
        samples.keySet().retainAll(stats.keySet());
        List<CompletableFuture<?>> described = new ArrayList<>();
        stats.forEach((group, s) -> described.add(describe(group).handle((d, error) -> {
            if (error != null) {
                samples.remove(group);
                return null;
            }
            long sum = 0;
            long max = 0;
            for (PartitionLag lag : d.offsets()) {
                if (lag.lag() >= 0) {
                    sum += lag.lag();
                    max = Math.max(max, lag.lag());
                }
            }
            samples.put(group, new Sample(sum, max, s));
            return null;
        })));
        CompletableFuture.allOf(described.toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> refreshers.forEach(Runnable::run));
    }
}
