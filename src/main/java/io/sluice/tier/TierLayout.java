package io.sluice.tier;

import java.util.UUID;

/**
 * Object keys of the tier. A partition's segments live under
 * {@code {prefix}/{topicId}/{partition}/{baseOffset}-{leaderEpoch}-{uploadId}.{log,index,timeindex,meta}};
 * the {@code .meta} object is written last and is the commit: a segment without it does not
 * exist. Keys carry the topic id, never its name: a deleted topic's objects can never be adopted
 * by a new topic of the same name, and a key stays short whatever the name's length. The upload
 * id makes every upload's keys new, so no object is ever overwritten.
 *
 * <p>Topic definitions live under {@code {prefix}/@topics/{topicId}.topic} (the name is inside)
 * and deletion tombstones under {@code {prefix}/@tombstones/{topicId}}: '@' is not a character of
 * a topic id, so neither folder can collide with a topic's objects.
 */
public final class TierLayout {
    public static final String LOG = ".log";
    public static final String INDEX = ".index";
    public static final String TIME_INDEX = ".timeindex";
    public static final String META = ".meta";
    private static final String TOPICS = "@topics/";
    private static final String TOMBSTONES = "@tombstones/";
    private static final String TOPIC_SUFFIX = ".topic";

    private final String root;

    public TierLayout(String prefix) {
        this.root = prefix == null || prefix.isEmpty() ? "" : prefix + "/";
    }

    /** Whether {@code id} is a topic id as this broker makes them (a UUID in canonical form). */
    public static boolean isTopicId(String id) {
        try {
            return id != null && UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public String topicPrefix(String topicId) {
        return root + requireId(topicId) + "/";
    }

    public String partitionPrefix(String topicId, int partition) {
        return topicPrefix(topicId) + partition + "/";
    }

    public String segmentKey(String topicId, int partition, RemoteSegment segment, String suffix) {
        return partitionPrefix(topicId, partition) + String.format("%020d", segment.baseOffset()) + "-"
                + segment.leaderEpoch() + "-" + segment.uploadId() + suffix;
    }

    public String topicsPrefix() {
        return root + TOPICS;
    }

    public String topicKey(String topicId) {
        return topicsPrefix() + requireId(topicId) + TOPIC_SUFFIX;
    }

    /** The topic id named by a definition key under {@link #topicsPrefix()}, or null for anything else. */
    public String topicIdOf(String key) {
        if (!key.startsWith(topicsPrefix()) || !key.endsWith(TOPIC_SUFFIX)) {
            return null;
        }
        String id = key.substring(topicsPrefix().length(), key.length() - TOPIC_SUFFIX.length());
        return isTopicId(id) ? id : null;
    }

    public String tombstonesPrefix() {
        return root + TOMBSTONES;
    }

    public String tombstoneKey(String topicId) {
        return tombstonesPrefix() + requireId(topicId);
    }

    /** The topic id named by a tombstone key, or null for anything else. */
    public String tombstonedIdOf(String key) {
        if (!key.startsWith(tombstonesPrefix())) {
            return null;
        }
        String id = key.substring(tombstonesPrefix().length());
        return isTopicId(id) ? id : null;
    }

    private static String requireId(String topicId) {
        if (!isTopicId(topicId)) {
            // A key built from anything else could escape the topic's prefix or collide with another's.
            throw new IllegalArgumentException("not a topic id: '" + topicId + "'");
        }
        return topicId;
    }
}
