package io.sluice.replication;

import io.sluice.cluster.TopicPartition;
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
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** One message of every type, with every field set to something its neighbours are not. */
final class Samples {
    private Samples() {
    }

    static final TopicPartition ORDERS = new TopicPartition("orders", 3);
    static final TopicPartition NON_ASCII = new TopicPartition("zählung-τ", 0);

    static HeapRecords heap(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return new HeapRecords(ByteBuffer.wrap(bytes));
    }

    static FetchRequest fetchRequest() {
        return new FetchRequest(2, 500, 1 << 20, List.of(
                new FetchPartition(ORDERS, 7, 1000L, 990L, 6),
                new FetchPartition(NON_ASCII, 1, 0L, 0L, -1)));
    }

    static FetchResponse fetchResponse() {
        return new FetchResponse(List.of(
                new FetchedPartition(ORDERS, null, 7, 1200L, 10L, 500L, 499L, heap(10_000, 1)),
                new FetchedPartition(NON_ASCII, new Error("NOT_ENOUGH_REPLICAS", "2 of 3 in sync"), 1, -1L, 0L, 0L,
                        -1L, HeapRecords.EMPTY),
                new FetchedPartition(new TopicPartition("t", 1), new Error("STORAGE_ERROR", null), 2, 3L, 4L, 5L, 6L,
                        heap(100, 2))));
    }

    static PositionUpdate positionUpdate() {
        return new PositionUpdate(3, List.of(new FetchPartition(ORDERS, 7, 1300L, 1290L, 7)));
    }

    static EpochEndRequest epochEndRequest() {
        return new EpochEndRequest(3, List.of(new EpochQuery(ORDERS, 8, 6), new EpochQuery(NON_ASCII, 2, 1)));
    }

    static EpochEndResponse epochEndResponse() {
        return new EpochEndResponse(List.of(new EpochEnd(ORDERS, null, 6, 1180L),
                new EpochEnd(NON_ASCII, new Error("PARTITION_NOT_FOUND", "no such partition"), -1, -1L)));
    }

    static ProduceRequest produceRequest() {
        return new ProduceRequest(ORDERS, -1, 30_000, heap(5000, 3).bytes());
    }

    static ProduceResponse produceResponse() {
        return new ProduceResponse(null, 1200L, 1249L);
    }

    static ReadRequest readRequest() {
        return new ReadRequest(NON_ASCII, 42L, 65536, 100, 250);
    }

    static ReadResponse readResponse() {
        return new ReadResponse(new Error("OFFSET_OUT_OF_RANGE", "offset 42 is out of range"), 42L, 41L, 0L,
                heap(300, 4));
    }

    static Error error() {
        return new Error("INVALID_REQUEST", "malformed");
    }

    static GroupRequest groupRequest() {
        return new GroupRequest(2, "billing-τ", 30_000, heap(700, 5).bytes());
    }

    static GroupResponse groupResponse() {
        return new GroupResponse(new Error("STALE_MEMBER_EPOCH", "epoch 3 is not 4"), heap(20, 6).bytes());
    }

    /** Every frame type with its sample message. */
    static Map<FrameType, Object> all() {
        return Map.ofEntries(Map.entry(FrameType.FETCH, fetchRequest()),
                Map.entry(FrameType.FETCH_RESPONSE, fetchResponse()), Map.entry(FrameType.POSITION, positionUpdate()),
                Map.entry(FrameType.EPOCH_END, epochEndRequest()),
                Map.entry(FrameType.EPOCH_END_RESPONSE, epochEndResponse()),
                Map.entry(FrameType.PRODUCE, produceRequest()), Map.entry(FrameType.PRODUCE_RESPONSE, produceResponse()),
                Map.entry(FrameType.READ, readRequest()), Map.entry(FrameType.READ_RESPONSE, readResponse()),
                Map.entry(FrameType.ERROR, error()), Map.entry(FrameType.GROUP, groupRequest()),
                Map.entry(FrameType.GROUP_RESPONSE, groupResponse()));
    }
}
