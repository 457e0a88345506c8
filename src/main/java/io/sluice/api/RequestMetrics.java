package io.sluice.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.sluice.broker.Broker;
import io.sluice.broker.MemoryBudget;
import io.sluice.broker.Topic;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The per-topic meters of produce and fetch requests, built once per topic and kept, so a request
 * records into its meters without a registry look-up (which locks and allocates tags). A deleted
 * topic's meters are removed from the registry: on {@link #removeTopic} and, for topics deleted
 * by any path, by a sweep on the broker's scheduler.
 */
@Startup
@ApplicationScoped
public class RequestMetrics {
    private static final long SWEEP_SECONDS = 5;

    /** One topic's meters, with the id of the topic they were made for (a re-created name gets new ones). */
    record TopicMeters(String topicId, Timer produceLatency, Counter producedRecords, Counter producedBytes,
            Timer fetchLatency, Timer fetchLongPoll, Counter fetchedRecords) {
        List<Meter> all() {
            return List.of(produceLatency, producedRecords, producedBytes, fetchLatency, fetchLongPoll, fetchedRecords);
        }
    }

    private final MeterRegistry registry;
    private final Broker broker;
    private final Map<String, TopicMeters> byTopic = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry, Broker broker) {
        this.registry = registry;
        this.broker = broker;
        MemoryBudget memory = broker.requestMemory();
        Gauge.builder("sluice.request.memory.used.bytes", memory, MemoryBudget::usedBytes)
                .description("Heap reserved by produce requests being read, parsed and answered").register(registry);
        Gauge.builder("sluice.request.memory.capacity.bytes", memory, MemoryBudget::capacityBytes)
                .description("Heap produce requests may reserve at once (sluice.limits.request-memory-bytes)")
                .register(registry);
        FunctionCounter.builder("sluice.request.memory.refusals", memory, MemoryBudget::refusals)
                .description("Produce requests refused because the request memory was full (503)")
                .register(registry);
        broker.scheduler().scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** The meters of a topic that exists (the request found it). */
    TopicMeters of(Topic topic) {
        String id = topic.metadata().id();
        TopicMeters m = byTopic.get(topic.name());
        if (m != null && m.topicId().equals(id)) {
            return m;
        }
        return byTopic.compute(topic.name(), (name, old) -> {
            if (old != null && old.topicId().equals(id)) {
                return old;
            }
            if (old != null) {
                old.all().forEach(registry::remove);
            }
            return create(name, id);
        });
    }

    private TopicMeters create(String topic, String id) {
        return new TopicMeters(id,
                Timer.builder("sluice.produce.latency").tag("topic", topic).publishPercentileHistogram()
                        .description("Time from a produce request's arrival to its reply being ready, parse and"
                                + " append (and fsync for acks=all) included").register(registry),
                Counter.builder("sluice.produce.records").tag("topic", topic)
                        .description("Records accepted by produce requests").register(registry),
                Counter.builder("sluice.produce.bytes").tag("topic", topic)
                        .description("Bytes of produce request bodies accepted").register(registry),
                Timer.builder("sluice.fetch.latency").tag("topic", topic).publishPercentileHistogram()
                        .description("Time to read and answer a fetch that does not long-poll (timeoutMs=0)")
                        .register(registry),
                Timer.builder("sluice.fetch.long.poll").tag("topic", topic).publishPercentileHistogram()
                        .description("Time of a long-polling fetch (timeoutMs>0), waiting for data included")
                        .register(registry),
                Counter.builder("sluice.fetch.records").tag("topic", topic)
                        .description("Records returned by fetches").register(registry));
    }

    /** Removes a topic's meters from the registry (its topic was deleted). */
    public void removeTopic(String topic) {
        TopicMeters m = byTopic.remove(topic);
        if (m != null) {
            m.all().forEach(registry::remove);
        }
    }

    private void sweep() {
        Map<String, String> live = new HashMap<>();
        for (Topic t : broker.topics()) {
            live.put(t.name(), t.metadata().id());
        }
        for (Map.Entry<String, TopicMeters> e : byTopic.entrySet()) {
            if (!e.getValue().topicId().equals(live.get(e.getKey())) && byTopic.remove(e.getKey(), e.getValue())) {
                e.getValue().all().forEach(registry::remove);
            }
        }
    }

    static long since(long startNanos) {
        return System.nanoTime() - startNanos;
    }

    static void record(Timer timer, long startNanos) {
        timer.record(since(startNanos), TimeUnit.NANOSECONDS);
    }
}
