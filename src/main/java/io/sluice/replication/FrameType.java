package io.sluice.replication;

import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;

/**
 * The kinds of frame, each with its wire code and the message it carries. The codes are part of
 * the protocol: a code never changes meaning, a new kind takes a new code.
 */
public enum FrameType {
    FETCH(1, FetchRequest.class),
    FETCH_RESPONSE(2, FetchResponse.class),
    /** A follower's position report: answered by nothing. */
    POSITION(3, PositionUpdate.class),
    EPOCH_END(4, EpochEndRequest.class),
    EPOCH_END_RESPONSE(5, EpochEndResponse.class),
    PRODUCE(6, ProduceRequest.class),
    PRODUCE_RESPONSE(7, ProduceResponse.class),
    READ(8, ReadRequest.class),
    READ_RESPONSE(9, ReadResponse.class),
    /** The reply to a request the server could not take as a whole (malformed, too large, failed). */
    ERROR(10, Error.class),
    /** A consumer-group request forwarded to the group's coordinator (or a partition's leader, for offsets). */
    GROUP(11, GroupRequest.class),
    GROUP_RESPONSE(12, GroupResponse.class);

    private static final FrameType[] BY_CODE = new FrameType[16];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final byte code;
    private final Class<?> messageClass;

    FrameType(int code, Class<?> messageClass) {
        this.code = (byte) code;
        this.messageClass = messageClass;
    }

    public byte code() {
        return code;
    }

    public Class<?> messageClass() {
        return messageClass;
    }

    /** The type of a wire code, or null when the code names none. */
    public static FrameType ofCode(byte code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** What a server answers this request with, or null when it answers nothing (or this is a reply). */
    public FrameType responseType() {
        return switch (this) {
            case FETCH -> FETCH_RESPONSE;
            case EPOCH_END -> EPOCH_END_RESPONSE;
            case PRODUCE -> PRODUCE_RESPONSE;
            case READ -> READ_RESPONSE;
            case GROUP -> GROUP_RESPONSE;
            default -> null;
        };
    }

    public boolean isRequest() {
        return this == POSITION || responseType() != null;
    }
}
