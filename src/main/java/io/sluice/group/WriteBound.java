package io.sluice.group;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's view of a write to {@code __consumer_offsets}: it fails NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * once its bound passes, so a member always gets an answer and retries. The write itself goes on:
 * appends to a partition stay in order, each settled before the next is computed, and the group's
 * state follows it whenever it settles. Not COORDINATOR_NOT_AVAILABLE: the group routing would send
 * the same write again and again, and the member would hear nothing after all.
 */
final class WriteBound {
    private static final System.Logger LOG = System.getLogger(WriteBound.class.getName());

    private WriteBound() {
    }

    static <T> CompletableFuture<T> bound(long timeoutMs, CompletableFuture<T> write, String what, int partition) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        write.whenComplete((v, e) -> {
            if (e == null) {
                answer.complete(v);
            } else {
                answer.completeExceptionally(SluiceException.causeOf(e));
            }
        });
        return answer.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = SluiceException.causeOf(e);
            if (cause instanceof TimeoutException) {
                LOG.log(System.Logger.Level.WARNING, "{0} was not committed in {1}-{2} within {3} ms", what,
                        OffsetsTopic.NAME, partition, timeoutMs);
                return CompletableFuture.failedFuture(new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                        what + " was not committed in " + OffsetsTopic.NAME + "-" + partition + " within " + timeoutMs
                                + " ms; it may or may not be kept: try again"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
