package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.PartitionInfo;
import io.sluice.broker.Topic;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code /ws/consume} query asks for (API.md): the partitions to read and where each
 * starts, the initial credit and the record formats. Every parameter is checked, unknown or
 * repeated ones refused, before anything is read.
 *
 * @param starts  each partition read and its first offset
 * @param credits records the client may be sent before it grants more
 */
record ConsumeRequest(List<Start> starts, long credits, RecordJsonWriter writer) {
    /** The query parameters of {@code /ws/consume}; {@code topic} may repeat, the others may not. */
    private static final List<String> PARAMETERS = List.of("topic", "group", "from", "autoCommit", "format",
            "keyFormat", "partition", "offset", "credits");

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
        if (q.first("group") != null) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "consumer groups are not available yet: read with "
                    + "'partition' and 'offset', or 'from' over every partition");
        }
        String from = q.first("from") == null ? "latest" : q.first("from");
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw invalid("'from' must be earliest or latest, was '" + Params.abbreviate(from) + "'");
        }
        long credits = Params.longParam(q.first("credits"), "credits", 0, Integer.MAX_VALUE, 500L,
                ErrorCode.INVALID_REQUEST);
        RecordJsonWriter writer = new RecordJsonWriter(Format.parse(q.first("format"), Format.JSON, "format"),
                Format.parse(q.first("keyFormat"), Format.STRING, "keyFormat"));
        List<Start> starts = new ArrayList<>();
        String partition = q.first("partition");
        String offset = q.first("offset");
        if (partition != null) {
            if (topics.size() != 1) {
                throw invalid("'partition' reads one topic; got " + topics.size());
            }
            Topic topic = broker.topic(topics.get(0));
            PartitionInfo source = broker.partitionInfo(topic.name(), Params.partition(partition));
            long start = offset == null ? startOffset(source, from)
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
                    starts.add(new Start(name, topic.metadata().id(), source.partition(), startOffset(source, from)));
                }
            }
        }
        return new ConsumeRequest(starts, credits, writer);
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

    private static long startOffset(PartitionInfo source, String from) {
        return from.equals("earliest") ? source.logStartOffset() : source.highWatermark();
    }

    static void checkInRange(PartitionInfo source, long offset) {
        if (offset < source.logStartOffset() || offset > source.logEndOffset()) {
            throw SluiceException.offsetOutOfRange(source.topic() + "-" + source.partition(), offset,
                    source.logStartOffset(), source.logEndOffset());
        }
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
