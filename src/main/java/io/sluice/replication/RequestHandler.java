package io.sluice.replication;

import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.concurrent.CompletableFuture;

/**
 * What the replication listener serves: called on a Vert.x event loop, so every method only hands
 * work off and returns a future (which may complete on any thread).
 */
public interface RequestHandler {
    CompletableFuture<FetchResponse> fetch(FetchRequest request);

    void position(PositionUpdate update);

    CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request);

    CompletableFuture<ProduceResponse> produce(ProduceRequest request);

    CompletableFuture<ReadResponse> read(ReadRequest request);

    /** A consumer-group operation; a listener that serves no groups refuses it as a whole. */
    default CompletableFuture<GroupResponse> group(GroupRequest request) {
        return CompletableFuture.failedFuture(new SluiceException(ErrorCode.UNSUPPORTED,
                "this listener serves no consumer groups"));
    }
}
