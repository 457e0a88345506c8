package io.sluice.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.infinispan.Cache;
import org.infinispan.commons.CacheException;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.partitionhandling.AvailabilityException;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.topology.CacheTopology;

/**
 * The metadata caches, with every write conditional and every failure of the cluster -- the
 * minority side of a split, a stopping cache manager, a replication timeout -- turned into
 * {@link MetadataUnavailableException}. Values are {@link MetadataCodec} strings, so "the stored value
 * is still the expected one" is string equality.
 */
final class MetadataCaches {
    /**
     * Filled while the store starts, read meanwhile by the store's event thread: a merge of the view can
     * arrive before the last cache is defined.
     */
    private final Map<MetadataSection, Cache<String, String>> caches = new ConcurrentHashMap<>();

    void put(MetadataSection section, Cache<String, String> cache) {
        caches.put(section, cache);
    }

    /** Every cache is defined, running and on a side of the cluster that may read and write. */
    boolean available() {
        if (caches.size() < MetadataSection.values().length) {
            return false;
        }
        for (Cache<String, String> c : caches.values()) {
            if (c.getStatus() != ComponentStatus.RUNNING
                    || c.getAdvancedCache().getAvailability() != AvailabilityMode.AVAILABLE) {
                return false;
            }
        }
        return true;
    }

    /** Whether a cache is in a merge's conflict resolution here (tests time their faults by it). */
    boolean resolvingConflicts() {
        for (Cache<String, String> c : caches.values()) {
            DistributionManager dm = c.getAdvancedCache().getDistributionManager();
            if (dm != null && dm.getCacheTopology().getPhase() == CacheTopology.Phase.CONFLICT_RESOLUTION) {
                return true;
            }
        }
        return false;
    }

    String get(MetadataSection section, String key) {
        try {
            return caches.get(section).get(key);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("read of " + section + " " + key, e);
        }
    }

    /** The cache's whole content as this broker holds it (replicated: all of it). */
    Map<String, String> all(MetadataSection section) {
        try {
            return new HashMap<>(caches.get(section));
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("read of " + section, e);
        }
    }

    boolean putIfAbsent(MetadataSection section, String key, String value) {
        try {
            return writable(section).putIfAbsent(key, value) == null;
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("create of " + section + " " + key, e);
        }
    }

    boolean replace(MetadataSection section, String key, String expected, String updated) {
        try {
            return writable(section).replace(key, expected, updated);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("update of " + section + " " + key, e);
        }
    }

    /** Unconditional: for the broker registry, where each broker writes only its own entry. */
    void put(MetadataSection section, String key, String value) {
        try {
            writable(section).put(key, value);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("write of " + section + " " + key, e);
        }
    }

    boolean remove(MetadataSection section, String key, String expected) {
        try {
            return writable(section).remove(key, expected);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("remove of " + section + " " + key, e);
        }
    }

    /**
     * The cache, if it takes writes now. A degraded cache would refuse them too, but Infinispan logs
     * every refusal as an error with its stack: a caller that retries fast (a leader proposing its
     * ISR while a merge settles) flooded the log and starved the broker.
     */
    private Cache<String, String> writable(MetadataSection section) {
        Cache<String, String> cache = caches.get(section);
        AvailabilityMode mode = cache.getAdvancedCache().getAvailability();
        if (mode != AvailabilityMode.AVAILABLE) {
            throw new AvailabilityException("the " + section + " cache is " + mode);
        }
        return cache;
    }

    private static MetadataUnavailableException unavailable(String what, RuntimeException e) {
        return new MetadataUnavailableException(what + " refused: this broker is not on the side of the cluster "
                + "that may change metadata (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
}
