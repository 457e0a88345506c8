package io.sluice.cluster;

import java.util.Set;
import org.infinispan.Cache;
import org.infinispan.commons.CacheException;

/**
 * A string map every broker holds a full copy of (an Infinispan replicated cache), for views that
 * are rebuilt from a log rather than kept as metadata: it is neither persisted in the metadata
 * snapshot nor offered back after a restart. Reads are local. Writes are conditional, as the
 * metadata's are, so a writer that lost a race sees it; on the minority side of a split reads go
 * on (the last copy) and writes throw {@link MetadataUnavailableException}.
 */
public final class ReplicatedMap {
    private final Cache<String, String> cache;

    ReplicatedMap(Cache<String, String> cache) {
        this.cache = cache;
    }

    public String get(String key) {
        try {
            return cache.get(key);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("read of " + key, e);
        }
    }

    /** @return whether the key was absent (and now holds {@code value}) */
    public boolean putIfAbsent(String key, String value) {
        try {
            return cache.putIfAbsent(key, value) == null;
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("create of " + key, e);
        }
    }

    /** @return whether the stored value was {@code expected} (and now is {@code updated}) */
    public boolean replace(String key, String expected, String updated) {
        try {
            return cache.replace(key, expected, updated);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("update of " + key, e);
        }
    }

    /** @return whether the stored value was {@code expected} (and is now removed) */
    public boolean remove(String key, String expected) {
        try {
            return cache.remove(key, expected);
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("remove of " + key, e);
        }
    }

    /** The keys of this broker's copy. */
    public Set<String> keys() {
        try {
            return Set.copyOf(cache.keySet());
        } catch (CacheException | IllegalStateException e) {
            throw unavailable("listing of the keys", e);
        }
    }

    private MetadataUnavailableException unavailable(String what, RuntimeException e) {
        return new MetadataUnavailableException(cache.getName() + ": " + what + " refused (" + e.getClass()
                .getSimpleName() + ": " + e.getMessage() + ")", e);
    }
}
