package io.sluice.replication;

import static io.sluice.replication.FrameDescriptor.BODY_HEADER_LENGTH;
import static io.sluice.replication.FrameDescriptor.CORRELATION_ID_OFFSET;
import static io.sluice.replication.FrameDescriptor.CURRENT_VERSION;
import static io.sluice.replication.FrameDescriptor.EPOCH_END_MIN_LENGTH;
import static io.sluice.replication.FrameDescriptor.EPOCH_QUERY_MIN_LENGTH;
import static io.sluice.replication.FrameDescriptor.FETCHED_PARTITION_MIN_LENGTH;
import static io.sluice.replication.FrameDescriptor.FETCH_PARTITION_MIN_LENGTH;
import static io.sluice.replication.FrameDescriptor.LENGTH_LENGTH;
import static io.sluice.replication.FrameDescriptor.PAYLOAD_OFFSET;
import static io.sluice.replication.FrameDescriptor.TYPE_OFFSET;
import static io.sluice.replication.FrameDescriptor.VERSION_OFFSET;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.EpochEnd;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.EpochQuery;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FetchPartition;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts {@link Messages} on the wire and takes them off it, in the layout of {@link FrameDescriptor}.
 * Decoding trusts nothing: the length is checked against {@link #maxFrameBytes()} before a body is
 * buffered ({@link #checkBodyLength}), and every count and length inside is checked against what
 * is left of the frame before anything is allocated for it. Thread-safe (it holds no state).
 */
public final class FrameCodec {
    private final int maxFrameBytes;

    public FrameCodec() {
        this(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
    }

    /** @param maxFrameBytes the largest frame, length prefix included, either side sends or accepts */
    public FrameCodec(int maxFrameBytes) {
        if (maxFrameBytes < FrameDescriptor.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes + " is below the header's "
                    + FrameDescriptor.HEADER_LENGTH + " bytes");
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * Checks a length prefix as soon as its four bytes are read, before the body is buffered.
     *
     * @return the body length to read next
     */
    public int checkBodyLength(int claimed) {
        if (claimed < BODY_HEADER_LENGTH || claimed > maxFrameBytes - LENGTH_LENGTH) {
            throw new FrameDecodeException("frame length " + claimed + " is outside [" + BODY_HEADER_LENGTH + ", "
                    + (maxFrameBytes - LENGTH_LENGTH) + "]");
        }
        return claimed;
    }

    /** Encodes a message; a frame larger than the limit is refused with {@code REQUEST_TOO_LARGE}. */
    public EncodedFrame encode(FrameType type, int correlationId, Object message) {
        new Frame(type, correlationId, message); // checks the message is the type's
        PayloadWriter out = new PayloadWriter(type, correlationId);
        switch (type) {
            case FETCH -> writeFetch(out, (FetchRequest) message);
            case FETCH_RESPONSE -> writeFetchResponse(out, (FetchResponse) message);
            case POSITION -> writePosition(out, (PositionUpdate) message);
            case EPOCH_END -> writeEpochEnd(out, (EpochEndRequest) message);
            case EPOCH_END_RESPONSE -> writeEpochEndResponse(out, (EpochEndResponse) message);
            case PRODUCE -> writeProduce(out, (ProduceRequest) message);
            case PRODUCE_RESPONSE -> writeProduceResponse(out, (ProduceResponse) message);
            case READ -> writeRead(out, (ReadRequest) message);
            case READ_RESPONSE -> writeReadResponse(out, (ReadResponse) message);
            case ERROR -> out.error((Error) message);
            case GROUP -> writeGroup(out, (GroupRequest) message);
            case GROUP_RESPONSE -> writeGroupPayload(out.error(((GroupResponse) message).error()),
                    ((GroupResponse) message).payload());
        }
        return out.finish(maxFrameBytes);
    }

    /**
     * Decodes a frame's body: the bytes after its length prefix, {@link #checkBodyLength} already
     * applied. Record batches in the result are views of {@code body}, which must not be reused.
     */
    public Frame decode(ByteBuffer body) {
        checkBodyLength(body.remaining());
        ByteBuffer frame = body.slice();
        byte version = frame.get(VERSION_OFFSET - LENGTH_LENGTH);
        if (version != CURRENT_VERSION) {
            throw new FrameDecodeException("frame version " + version + " is not supported (this broker speaks "
                    + CURRENT_VERSION + ")");
        }
        byte code = frame.get(TYPE_OFFSET - LENGTH_LENGTH);
        FrameType type = FrameType.ofCode(code);
        if (type == null) {
            throw new FrameDecodeException("frame type " + code + " is unknown");
        }
        int correlationId = frame.getInt(CORRELATION_ID_OFFSET - LENGTH_LENGTH);
        frame.position(PAYLOAD_OFFSET - LENGTH_LENGTH);
        PayloadReader in = new PayloadReader(frame);
        Object message = switch (type) {
            case FETCH -> readFetch(in);
            case FETCH_RESPONSE -> readFetchResponse(in);
            case POSITION -> readPosition(in);
            case EPOCH_END -> readEpochEnd(in);
            case EPOCH_END_RESPONSE -> readEpochEndResponse(in);
            case PRODUCE -> readProduce(in);
            case PRODUCE_RESPONSE -> new ProduceResponse(in.error("error"), in.int64("baseOffset"),
                    in.int64("lastOffset"));
            case READ -> readRead(in);
            case READ_RESPONSE -> new ReadResponse(in.error("error"), in.int64("nextOffset"),
                    in.int64("highWatermark"), in.int64("logStartOffset"), in.records("records"));
            case ERROR -> readError(in);
            case GROUP -> new GroupRequest(in.int32("op"), in.string("groupId"), in.int32("timeoutMs"),
                    readGroupPayload(in));
            case GROUP_RESPONSE -> new GroupResponse(in.error("error"), readGroupPayload(in));
        };
        in.requireEnd(type.toString());
        return new Frame(type, correlationId, message);
    }

    // ---- follower fetch ------------------------------------------------------------------------

    private static void writeFetch(PayloadWriter out, FetchRequest request) {
        out.int32(request.replicaId()).int32(request.maxWaitMs()).int32(request.maxBytes());
        writeFetchPartitions(out, request.partitions());
    }

    private static FetchRequest readFetch(PayloadReader in) {
        return new FetchRequest(in.int32("replicaId"), in.int32("maxWaitMs"), in.int32("maxBytes"),
                readFetchPartitions(in));
    }

    private static void writePosition(PayloadWriter out, PositionUpdate update) {
        out.int32(update.replicaId());
        writeFetchPartitions(out, update.partitions());
    }

    private static PositionUpdate readPosition(PayloadReader in) {
        return new PositionUpdate(in.int32("replicaId"), readFetchPartitions(in));
    }

    private static void writeFetchPartitions(PayloadWriter out, List<FetchPartition> partitions) {
        out.count(partitions.size());
        for (FetchPartition p : partitions) {
            out.topicPartition("partition", p.partition()).int32(p.currentLeaderEpoch()).int64(p.fetchOffset())
                    .int64(p.durableOffset()).int32(p.lastFetchedEpoch());
        }
    }

    private static List<FetchPartition> readFetchPartitions(PayloadReader in) {
        int count = in.count("partitions", FETCH_PARTITION_MIN_LENGTH);
        List<FetchPartition> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(new FetchPartition(in.topicPartition("partition"), in.int32("currentLeaderEpoch"),
                    in.int64("fetchOffset"), in.int64("durableOffset"), in.int32("lastFetchedEpoch")));
        }
        return partitions;
    }

    private static void writeFetchResponse(PayloadWriter out, FetchResponse response) {
        out.count(response.partitions().size());
        for (FetchedPartition p : response.partitions()) {
            out.topicPartition("partition", p.partition()).error(p.error()).int32(p.leaderEpoch())
                    .int64(p.highWatermark()).int64(p.logStartOffset()).int64(p.localLogStartOffset())
                    .int64(p.tieredEndOffset()).records(p.records());
        }
    }

    private static FetchResponse readFetchResponse(PayloadReader in) {
        int count = in.count("partitions", FETCHED_PARTITION_MIN_LENGTH);
        List<FetchedPartition> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(new FetchedPartition(in.topicPartition("partition"), in.error("error"),
                    in.int32("leaderEpoch"), in.int64("highWatermark"), in.int64("logStartOffset"),
                    in.int64("localLogStartOffset"), in.int64("tieredEndOffset"), in.records("records")));
        }
        return new FetchResponse(partitions);
    }

    // ---- truncation by leader epoch --------------------------------------------------------------

    private static void writeEpochEnd(PayloadWriter out, EpochEndRequest request) {
        out.int32(request.replicaId()).count(request.partitions().size());
        for (EpochQuery q : request.partitions()) {
            out.topicPartition("partition", q.partition()).int32(q.currentLeaderEpoch()).int32(q.epoch());
        }
    }

    private static EpochEndRequest readEpochEnd(PayloadReader in) {
        int replicaId = in.int32("replicaId");
        int count = in.count("partitions", EPOCH_QUERY_MIN_LENGTH);
        List<EpochQuery> queries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            queries.add(new EpochQuery(in.topicPartition("partition"), in.int32("currentLeaderEpoch"),
                    in.int32("epoch")));
        }
        return new EpochEndRequest(replicaId, queries);
    }

    private static void writeEpochEndResponse(PayloadWriter out, EpochEndResponse response) {
        out.count(response.partitions().size());
        for (EpochEnd e : response.partitions()) {
            out.topicPartition("partition", e.partition()).error(e.error()).int32(e.epoch()).int64(e.endOffset());
        }
    }

    private static EpochEndResponse readEpochEndResponse(PayloadReader in) {
        int count = in.count("partitions", EPOCH_END_MIN_LENGTH);
        List<EpochEnd> ends = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ends.add(new EpochEnd(in.topicPartition("partition"), in.error("error"), in.int32("epoch"),
                    in.int64("endOffset")));
        }
        return new EpochEndResponse(ends);
    }

    // ---- forwarded client requests ---------------------------------------------------------------

    private static void writeProduce(PayloadWriter out, ProduceRequest request) {
        out.topicPartition("partition", request.partition()).int32(request.acks()).int32(request.timeoutMs())
                .int32(request.batch().remaining()).bytes(request.batch());
    }

    private static ProduceRequest readProduce(PayloadReader in) {
        var partition = in.topicPartition("partition");
        int acks = in.int32("acks");
        int timeoutMs = in.int32("timeoutMs");
        return new ProduceRequest(partition, acks, timeoutMs, in.records("batch").bytes());
    }

    private static void writeProduceResponse(PayloadWriter out, ProduceResponse response) {
        out.error(response.error()).int64(response.baseOffset()).int64(response.lastOffset());
    }

    private static void writeRead(PayloadWriter out, ReadRequest request) {
        out.topicPartition("partition", request.partition()).int64(request.offset()).int32(request.maxBytes())
                .int32(request.maxRecords()).int32(request.timeoutMs());
    }

    private static ReadRequest readRead(PayloadReader in) {
        return new ReadRequest(in.topicPartition("partition"), in.int64("offset"), in.int32("maxBytes"),
                in.int32("maxRecords"), in.int32("timeoutMs"));
    }

    private static void writeReadResponse(PayloadWriter out, ReadResponse response) {
        out.error(response.error()).int64(response.nextOffset()).int64(response.highWatermark())
                .int64(response.logStartOffset()).records(response.records());
    }

    private static Error readError(PayloadReader in) {
        Error error = in.error("error");
        if (error == null) {
            throw new FrameDecodeException("an ERROR frame carries no error code");
        }
        return error;
    }

    // ---- consumer groups -------------------------------------------------------------------------

    private static void writeGroup(PayloadWriter out, GroupRequest request) {
        out.int32(request.op()).string("groupId", request.groupId()).int32(request.timeoutMs());
        writeGroupPayload(out, request.payload());
    }

    private static void writeGroupPayload(PayloadWriter out, ByteBuffer payload) {
        if (payload.remaining() > FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES) {
            throw new SluiceException(ErrorCode.REQUEST_TOO_LARGE, "a group payload of "
                    + payload.remaining() + " bytes exceeds the limit of " + FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES);
        }
        out.int32(payload.remaining()).bytes(payload);
    }

    /** A group payload: its length checked against the limit and against the bytes the frame holds. */
    private static ByteBuffer readGroupPayload(PayloadReader in) {
        ByteBuffer payload = in.records("payload").bytes();
        if (payload.remaining() > FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES) {
            throw new FrameDecodeException("payload of " + payload.remaining() + " bytes exceeds the group limit of "
                    + FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES);
        }
        return payload;
    }
}
