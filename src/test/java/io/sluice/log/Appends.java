package io.sluice.log;

import io.sluice.log.PartitionLog.AppendInfo;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** Appends as the produce path makes them, for tests of one log. */
final class Appends {
    private Appends() {
    }

    /** As {@code acks=all}: completes once the high watermark covers the batch (fsynced, on one broker). */
    static CompletableFuture<AppendInfo> committed(PartitionLog log, ByteBuffer batch) {
        return committed(log, batch, 0);
    }

    static CompletableFuture<AppendInfo> committed(PartitionLog log, ByteBuffer batch, int leaderEpoch) {
        return log.appendAsLeader(batch, leaderEpoch)
                .thenCompose(info -> log.awaitHighWatermark(info.lastOffset() + 1).thenApply(v -> info));
    }
}
