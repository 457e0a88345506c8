package io.sluice.tier;

/**
 * Object keys of the tier. A partition's segments live under
 * {@code {prefix}/{topic}/{partition}/{baseOffset}-{leaderEpoch}.{log,index,timeindex,meta}}; the
 * {@code .meta} object is written last and is the commit: a segment without it does not exist.
 * Topic definitions live under {@code {prefix}/@topics/}, a name no topic can take ('@' is not a
 * legal topic character).
 */
public final class TierLayout {
    public static final String LOG = ".log";
    public static final String INDEX = ".index";
    public static final String TIME_INDEX = ".timeindex";
    public static final String META = ".meta";
    private static final String TOPICS = "@topics/";
    private static final String TOPIC_SUFFIX = ".topic";

    private final String root;

    public TierLayout(String prefix) {
        this.root = prefix == null || prefix.isEmpty() ? "" : prefix + "/";
    }

    public String topicPrefix(String topic) {
        return root + topic + "/";
    }

    public String partitionPrefix(String topic, int partition) {
        return topicPrefix(topic) + partition + "/";
    }

    public String segmentKey(String topic, int partition, long baseOffset, int leaderEpoch, String suffix) {
        return partitionPrefix(topic, partition) + String.format("%020d", baseOffset) + "-" + leaderEpoch + suffix;
    }

    public String topicsPrefix() {
        return root + TOPICS;
    }

    public String topicKey(String topic) {
        return topicsPrefix() + topic + TOPIC_SUFFIX;
    }

    /** The topic named by a key under {@link #topicsPrefix()}, or null for anything else. */
    public String topicOf(String key) {
        if (!key.startsWith(topicsPrefix()) || !key.endsWith(TOPIC_SUFFIX)) {
            return null;
        }
        String name = key.substring(topicsPrefix().length(), key.length() - TOPIC_SUFFIX.length());
        return name.contains("/") ? null : name;
    }
}
