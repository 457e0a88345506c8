package io.sluice.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.infinispan.Cache;
import org.infinispan.commons.CacheException;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.partitionhandling.AvailabilityMode;

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
            return caches.get(section).putIfAbsent(key, value) == null;
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("create of " + section + " " + key, e);
        }
    }

    boolean replace(MetadataSection section, String key, String expected, String updated) {
        try {
            return caches.get(section).replace(key, expected, updated);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("update of " + section + " " + key, e);
        }
    }

    /** Unconditional: for the broker registry, where each broker writes only its own entry. */
    void put(MetadataSection section, String key, String value) {
        try {
            caches.get(section).put(key, value);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("write of " + section + " " + key, e);
        }
    }

    boolean remove(MetadataSection section, String key, String expected) {
        try {
            return caches.get(section).remove(key, expected);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("remove of " + section + " " + key, e);
        }
    }

    private static MetadataUnavailableException unavailable(String what, RuntimeException e) {
        return new MetadataUnavailableException(what + " refused: this broker is not on the side of the cluster "
                + "that may change metadata (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
}
