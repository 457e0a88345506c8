package io.sluice.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.ClusterView;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The cluster's meters: brokers alive, quorum, partitions with no leader, partitions this broker
 * leads that are under-replicated, ISR shrinks and expands, and requests forwarded to leaders elsewhere.
 * Per-partition replication gauges (ISR size, follower lag) are {@link LogMetrics}'.
 */
@Startup
@ApplicationScoped
public class ClusterMetrics {
    public ClusterMetrics(Broker broker, MeterRegistry registry) {
        Gauge.builder("sluice.cluster.brokers.alive", broker,
                b -> b.clusterView().brokers().stream().filter(ClusterView.Member::alive).count())
                .description("Brokers in this broker's view of the cluster").register(registry);
        Gauge.builder("sluice.cluster.quorum", broker, b -> b.clusterView().quorum() ? 1 : 0)
                .description("1 while this broker is in a majority of the registered brokers and may change metadata")
                .register(registry);
        Gauge.builder("sluice.partitions.under.replicated", broker, Broker::underReplicatedPartitions)
                .description("Partitions led by this broker whose ISR is smaller than their replica set")
                .register(registry);
        Gauge.builder("sluice.cluster.partitions.offline", broker, b -> b.clusterView().offlinePartitions())
                .description("Partitions of the cluster with no leader, in this broker's view of the metadata")
                .register(registry);
        FunctionCounter.builder("sluice.replication.isr.shrinks", broker, b -> b.replicationMetrics().isrShrinks())
                .description("Followers this broker, as leader, removed from an ISR").register(registry);
        FunctionCounter.builder("sluice.replication.isr.expands", broker, b -> b.replicationMetrics().isrExpands())
                .description("Followers this broker, as leader, added back to an ISR").register(registry);
        FunctionCounter.builder("sluice.forwarded.produces", broker, Broker::forwardedProduces)
                .description("Produce batches sent to a partition's leader on another broker").register(registry);
        FunctionCounter.builder("sluice.forwarded.reads", broker, Broker::forwardedReads)
                .description("Reads sent to a partition's leader on another broker").register(registry);
    }
}
