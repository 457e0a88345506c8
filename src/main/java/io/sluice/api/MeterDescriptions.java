package io.sluice.api;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * The HELP text of the request meters, which are looked up per request by name and tags: given
 * here once, by name, rather than at every look-up. (The gauges of {@link LogMetrics} carry their
 * own.)
 */
@Singleton
public class MeterDescriptions {
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "sluice.produce.latency", "Time from a produce request's arrival to its reply",
            "sluice.produce.records", "Records written by produce requests",
            "sluice.produce.bytes", "Bytes of produce request bodies written",
            "sluice.fetch.latency", "Time from a fetch request's arrival to its reply",
            "sluice.fetch.records", "Records returned by fetch requests",
            "sluice.fetch.bytes", "Bytes returned by fetch requests");

    @Produces
    @Singleton
    MeterFilter describe() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = DESCRIPTIONS.get(id.getName());
                if (description == null || id.getDescription() != null) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
                        id.getType());
            }
        };
    }
}
