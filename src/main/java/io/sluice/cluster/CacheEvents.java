package io.sluice.cluster;

import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.annotation.PartitionStatusChanged;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryModifiedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.infinispan.notifications.cachelistener.event.PartitionStatusChangedEvent;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/**
 * The Infinispan listeners of the store. They run on Infinispan's and JGroups' threads, synchronously
 * with the write that caused them (so the mirror is current when a write returns), and only record
 * and hand off: everything slower runs on the store's event thread.
 */
final class CacheEvents {
    /** What the store does with the events. */
    interface Sink {
        void entryChanged(MetadataSection section, String key, String value, String oldValue);

        void topologyChanged(MetadataSection section);

        void availabilityChanged();

        void viewChanged(boolean merged);
    }

    private CacheEvents() {
    }

    /** Entry, topology and availability events of one cache. */
    @Listener(observation = Listener.Observation.POST)
    public static final class OfCache {
        private final MetadataSection section;
        private final Sink sink;

        OfCache(MetadataSection section, Sink sink) {
            this.section = section;
            this.sink = sink;
        }

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> e) {
            sink.entryChanged(section, e.getKey(), e.getValue(), null);
        }

        @CacheEntryModified
        public void modified(CacheEntryModifiedEvent<String, String> e) {
            sink.entryChanged(section, e.getKey(), e.getNewValue(), e.getOldValue());
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, String> e) {
            sink.entryChanged(section, e.getKey(), null, e.getOldValue());
        }

        @TopologyChanged
        public void topology(TopologyChangedEvent<String, String> e) {
            sink.topologyChanged(section);
        }

        @PartitionStatusChanged
        public void availability(PartitionStatusChangedEvent<String, String> e) {
            sink.availabilityChanged();
        }
    }

    /** View changes and merges of the cache manager. */
    @Listener
    public static final class OfManager {
        private final Sink sink;

        OfManager(Sink sink) {
            this.sink = sink;
        }

        @ViewChanged
        public void viewChanged(ViewChangedEvent e) {
            sink.viewChanged(false);
        }

        @Merged
        public void merged(MergeEvent e) {
            sink.viewChanged(true);
        }
    }
}
