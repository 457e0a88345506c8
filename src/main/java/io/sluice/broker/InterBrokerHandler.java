package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.CorruptRecordException;
import io.sluice.log.RecordBatch;
import io.sluice.replication.LeaderSide;
import io.sluice.replication.Messages;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.RequestHandler;
import java.util.concurrent.CompletableFuture;

/**
 * What this broker's inter-broker listener serves: followers' fetches, positions and epoch-end
 * queries (the leader side of replication), the produce and read requests other brokers
 * forward to the partitions this broker leads, and the group operations for the groups it coordinates.
 */
final class InterBrokerHandler implements RequestHandler {
    private final LeaderSide leaderSide;
    private final ReplicaManager replicas;
    private final PartitionReads reads;
    private final BrokerGroups groups;

    InterBrokerHandler(ReplicaManager replicas, PartitionReads reads, BrokerGroups groups) {
        this.leaderSide = replicas.leaderSide();
        this.replicas = replicas;
        this.reads = reads;
        this.groups = groups;
    }

    @Override
    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
        return leaderSide.fetch(request);
    }

    @Override
    public void position(PositionUpdate update) {
        leaderSide.position(update);
    }

    @Override
    public CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request) {
        return leaderSide.epochEnd(request);
    }

    /**
     * A batch another broker built from a client's records: checked whole (a peer's bug must not
     * put a corrupt batch in the log) and appended only if this broker leads the partition.
     */
    @Override
    public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
        try {
            RecordBatch batch = new RecordBatch(request.batch(), request.batch().position());
            batch.validateDense("a batch forwarded for " + request.partition());
            if (batch.sizeInBytes() != request.batch().remaining()) {
                throw new CorruptRecordException("a forwarded request must carry exactly one batch");
            }
        } catch (CorruptRecordException | IndexOutOfBoundsException e) {
            return CompletableFuture.completedFuture(new ProduceResponse(error(new SluiceException(
                    ErrorCode.CORRUPT_RECORD, e.getMessage())), -1, -1));
        }
        return replicas.appendAsLeader(request.partition(), request.batch(), request.acks() == -1)
                .handle((info, e) -> e == null ? new ProduceResponse(null, info.baseOffset(), info.lastOffset())
                        : new ProduceResponse(error(SluiceException.causeOf(e)), -1, -1));
    }

    @Override
    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        return reads.fetchLocal(request.partition(), request.offset(), request.maxRecords(), request.maxBytes(),
                request.timeoutMs()).handle((r, e) -> e == null
                        ? new ReadResponse(null, r.nextOffset(), r.highWatermark(), r.logStartOffset(),
                                new HeapRecords(ForwardedRecords.encode(r.records())))
                        : new ReadResponse(error(SluiceException.causeOf(e)), -1, -1, -1, HeapRecords.EMPTY));
    }

    /** A consumer-group operation for the coordinator here, or an offset lookup on a partition led here. */
    @Override
    public CompletableFuture<GroupResponse> group(GroupRequest request) {
        return groups.serve(request);
    }

    private static Messages.Error error(Throwable cause) {
        ErrorCode code = cause instanceof SluiceException s ? s.code() : ErrorCode.STORAGE_ERROR;
        return new Messages.Error(code.name(), String.valueOf(cause.getMessage()));
    }
}
