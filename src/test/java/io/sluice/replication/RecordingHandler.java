package io.sluice.replication;

import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** The listener's collaborator in tests: answers by the functions a test sets, and counts every call. */
final class RecordingHandler implements RequestHandler {
    final AtomicInteger calls = new AtomicInteger();
    final List<PositionUpdate> positions = new CopyOnWriteArrayList<>();
    volatile Function<FetchRequest, CompletableFuture<FetchResponse>> onFetch =
            r -> CompletableFuture.completedFuture(new FetchResponse(List.of()));
    volatile Function<EpochEndRequest, CompletableFuture<EpochEndResponse>> onEpochEnd =
            r -> CompletableFuture.completedFuture(new EpochEndResponse(List.of()));
    volatile Function<ProduceRequest, CompletableFuture<ProduceResponse>> onProduce =
            r -> CompletableFuture.completedFuture(Samples.produceResponse());
    volatile Function<ReadRequest, CompletableFuture<ReadResponse>> onRead =
            r -> CompletableFuture.completedFuture(new ReadResponse(null, 0, 0, 0, Messages.HeapRecords.EMPTY));

    @Override
    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
        calls.incrementAndGet();
        return onFetch.apply(request);
    }

    @Override
    public void position(PositionUpdate update) {
        calls.incrementAndGet();
        positions.add(update);
    }

    @Override
    public CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request) {
        calls.incrementAndGet();
        return onEpochEnd.apply(request);
    }

    @Override
    public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
        calls.incrementAndGet();
        return onProduce.apply(request);
    }

    @Override
    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        calls.incrementAndGet();
        return onRead.apply(request);
    }
}
