package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.PartitionInfo;
import io.sluice.broker.Topic;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.OffsetReset;
import io.sluice.group.AssignmentStrategy;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.RebalanceProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;

/**
 * What a {@code /ws/consume} query asks for (API.md): the partitions to read and where each
 * starts, the initial credit and the record formats. Every parameter is checked, unknown or
 * repeated ones refused, before anything is read.
 *
 * @param starts  each partition read and its first offset; none for a group member, whose
 *                partitions its coordinator hands out
 * @param credits records the client may be sent before it grants more
 * @param group   the group the reader joins, or null for a reader without one
 */
record ConsumeRequest(List<Start> starts, long credits, RecordJsonWriter writer, Membership group) {
    /** The query parameters of {@code /ws/consume}; {@code topic} may repeat, the others may not. */
    private static final List<String> PARAMETERS = List.of("topic", "group", "from", "autoCommit", "format",
            "keyFormat", "partition", "offset", "credits", "assignor", "rebalance", "sessionTimeoutMs",
            "autoCommitIntervalMs");
    /**
     * Parameters that only mean something to a group member, refused without one. ({@code autoCommit}
     * is not among them: API.md lists it for every reader, and a reader without a group commits nothing.)
     */
    private static final List<String> GROUP_PARAMETERS = List.of("assignor", "rebalance", "sessionTimeoutMs",
            "autoCommitIntervalMs");
    static final long MIN_SESSION_TIMEOUT_MS = 1_000;
    static final long MAX_SESSION_TIMEOUT_MS = 1_800_000;
    static final long DEFAULT_SESSION_TIMEOUT_MS = 45_000;
    static final long MIN_AUTO_COMMIT_INTERVAL_MS = 100;
    static final long MAX_AUTO_COMMIT_INTERVAL_MS = 3_600_000;
    static final long DEFAULT_AUTO_COMMIT_INTERVAL_MS = 5_000;

    /**
     * How a group member joins and commits (API.md): its group, the topics it reads with the ids
     * they had when it joined, the assignor and rebalance protocol it asks for, its session timeout,
     * auto-commit, and where a partition with no committed offset starts.
     */
    record Membership(String groupId, Map<String, String> topicIds, AssignmentStrategy strategy,
            RebalanceProtocol protocol, long sessionTimeoutMs, boolean autoCommit, long autoCommitIntervalMs,
            boolean fromEarliest) {
        List<String> topics() {
            return List.copyOf(topicIds.keySet());
        }
    }

    /**
     * A partition to read, from {@code offset}. The topic's id tells a reader its topic was deleted
     * even when one of the same name was created meanwhile.
     */
    record Start(String topic, String topicId, int partition, long offset) {
    }

    /** Validates the query and positions the reader; throws {@link SluiceException} on bad input. */
    static ConsumeRequest parse(Broker broker, Query q) {
        checkParameters(q);
        List<String> topics = q.all("topic");
        if (topics.isEmpty()) {
            throw invalid("at least one 'topic' query parameter is required");
        }
        String from = q.first("from") == null ? "latest" : q.first("from");
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw invalid("'from' must be earliest or latest, was '" + Params.abbreviate(from) + "'");
        }
        long credits = Params.longParam(q.first("credits"), "credits", 0, Integer.MAX_VALUE, 500L,
                ErrorCode.INVALID_REQUEST);
        RecordJsonWriter writer = new RecordJsonWriter(Format.parse(q.first("format"), Format.JSON, "format"),
                Format.parse(q.first("keyFormat"), Format.STRING, "keyFormat"));
        if (q.first("group") != null) {
            return new ConsumeRequest(List.of(), credits, writer, membership(broker, q, topics, from));
        }
        for (String name : GROUP_PARAMETERS) {
            if (q.first(name) != null) {
                throw invalid("'" + name + "' needs a 'group'");
            }
        }
        List<Start> starts = new ArrayList<>();
        String partition = q.first("partition");
        String offset = q.first("offset");
        if (partition != null) {
            if (topics.size() != 1) {
                throw invalid("'partition' reads one topic; got " + topics.size());
            }
            Topic topic = broker.topic(topics.get(0));
            PartitionInfo source = broker.partitionInfo(topic.name(), Params.partition(partition));
            long start = offset == null ? startOffset(broker, source, from)
                    : Params.longParam(offset, "offset", 0, Long.MAX_VALUE, null, ErrorCode.INVALID_OFFSET);
            checkInRange(source, start);
            starts.add(new Start(topic.name(), topic.metadata().id(), source.partition(), start));
        } else {
            if (offset != null) {
                throw invalid("'offset' needs a 'partition'");
            }
            for (String name : topics) {
                Topic topic = broker.topic(name);
                for (PartitionInfo source : broker.partitionInfos(name)) {
                    long start = startOffset(broker, source, from);
                    starts.add(new Start(name, topic.metadata().id(), source.partition(), start));
                }
            }
        }
        return new ConsumeRequest(starts, credits, writer, null);
    }

    private static Membership membership(Broker broker, Query q, List<String> topics, String from) {
        String group = q.first("group");
        GroupCoordinator.validateGroupId(group); // the coordinator's rule, refused here before joining
        if (q.first("partition") != null || q.first("offset") != null) {
            throw invalid("a group member reads the partitions its group assigns it: 'partition' and 'offset'"
                    + " are not taken with 'group' (use a seek message)");
        }
        Map<String, String> topicIds = new LinkedHashMap<>();
        for (String name : topics) {
            topicIds.put(name, broker.topic(name).metadata().id()); // TOPIC_NOT_FOUND before joining
        }
        AssignmentStrategy strategy = q.first("assignor") == null ? AssignmentStrategy.STICKY
                : AssignmentStrategy.parse(q.first("assignor"));
        RebalanceProtocol protocol = q.first("rebalance") == null ? RebalanceProtocol.COOPERATIVE
                : RebalanceProtocol.parse(q.first("rebalance"));
        long sessionTimeoutMs = Params.longParam(q.first("sessionTimeoutMs"), "sessionTimeoutMs",
                MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS, DEFAULT_SESSION_TIMEOUT_MS, ErrorCode.INVALID_REQUEST);
        long autoCommitIntervalMs = Params.longParam(q.first("autoCommitIntervalMs"), "autoCommitIntervalMs",
                MIN_AUTO_COMMIT_INTERVAL_MS, MAX_AUTO_COMMIT_INTERVAL_MS, DEFAULT_AUTO_COMMIT_INTERVAL_MS,
                ErrorCode.INVALID_REQUEST);
        return new Membership(group, topicIds, strategy, protocol, sessionTimeoutMs,
                !"false".equals(q.first("autoCommit")), autoCommitIntervalMs, from.equals("earliest"));
    }

    /**
     * Refuses a parameter this endpoint does not know, or a repeat of one that takes a single value,
     * as REST refuses unknown fields: a misspelt {@code ofset=5} must not silently read from the end.
     */
    private static void checkParameters(Query q) {
        for (String name : q.names()) {
            if (!PARAMETERS.contains(name)) {
                throw invalid("unknown query parameter '" + Params.abbreviate(name) + "' (expected one of "
                        + String.join(", ", PARAMETERS) + ")");
            }
            if (!name.equals("topic") && q.all(name).size() > 1) {
                throw invalid("query parameter '" + name + "' is given " + q.all(name).size() + " times; it takes one value");
            }
        }
        String autoCommit = q.first("autoCommit");
        if (autoCommit != null && !autoCommit.equals("true") && !autoCommit.equals("false")) {
            throw invalid("'autoCommit' must be true or false, was '" + Params.abbreviate(autoCommit) + "'");
        }
    }

    /**
     * The log start or the high watermark: this broker's replica's, or the leader's when this broker
     * holds none. Blocks (bounded) for the leader's answer: the socket's open callback runs on a worker.
     */
    static long startOffset(Broker broker, PartitionInfo source, String from) {
        if (holdsReplica(source)) {
            return from.equals("earliest") ? source.logStartOffset() : source.highWatermark();
        }
        OffsetReset to = from.equals("earliest") ? new OffsetReset.Earliest() : new OffsetReset.Latest();
        try {
            return broker.resolveOffset(source.topic(), source.partition(), to)
                    .get(RESOLVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw SluiceException.causeOf(e) instanceof SluiceException s ? s : leaderUnavailable(source);
        } catch (TimeoutException e) {
            throw leaderUnavailable(source);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw leaderUnavailable(source);
        }
    }

    private static boolean holdsReplica(PartitionInfo source) {
        return source.logStartOffset() >= 0;
    }

    private static SluiceException leaderUnavailable(PartitionInfo source) {
        return new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "the leader of " + source.topic() + "-"
                + source.partition() + " did not say where it starts; retry");
    }

    /** Checks {@code offset} against this broker's replica; without one, the leader refuses what is out of range. */
    static void checkInRange(PartitionInfo source, long offset) {
        if (holdsReplica(source) && (offset < source.logStartOffset() || offset > source.logEndOffset())) {
            throw SluiceException.offsetOutOfRange(source.topic() + "-" + source.partition(), offset,
                    source.logStartOffset(), source.logEndOffset());
        }
    }

    /** How long opening a reader waits for a leader elsewhere to say where the partition starts. */
    static final long RESOLVE_TIMEOUT_MS = 10_000;

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
