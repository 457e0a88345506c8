package io.sluice.group;

import io.sluice.error.SluiceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The appends to one partition of {@code __consumer_offsets}, in order, one append in flight at a
 * time: the requests that queue behind it go out together as the next append (group commit of
 * commits). A request's records are computed when its append is issued, after every earlier append
 * has completed and been applied, so a delete's tombstones cover a commit queued just before it.
 */
final class AppendQueue {
    /** What one request appends and what it does once its records are committed. */
    private record Request(Supplier<List<OffsetsTopic.Entry>> entries, Runnable onWritten,
            CompletableFuture<Void> done) {
    }

    private final int partition;
    private final OffsetsTopic topic;
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private boolean inFlight;
    private CompletableFuture<Void> idleWaiter;

    AppendQueue(int partition, OffsetsTopic topic) {
        this.partition = partition;
        this.topic = topic;
    }

    /**
     * Queues records, computed by {@code entries} when their turn comes; {@code onWritten} runs once
     * they are committed, before the returned future completes and before the next append is issued.
     */
    CompletableFuture<Void> append(Supplier<List<OffsetsTopic.Entry>> entries, Runnable onWritten) {
        Request r = new Request(entries, onWritten, new CompletableFuture<>());
        synchronized (this) {
            queue.add(r);
            if (inFlight) {
                return r.done;
            }
            inFlight = true;
        }
        issueNext();
        return r.done;
    }

    /** Completes once nothing is queued or in flight (a takeover replays after the last append settled). */
    synchronized CompletableFuture<Void> idle() {
        if (!inFlight) {
            return CompletableFuture.completedFuture(null);
        }
        if (idleWaiter == null) {
            idleWaiter = new CompletableFuture<>();
        }
        return idleWaiter;
    }

    private void issueNext() {
        List<Request> batch;
        CompletableFuture<Void> waiter = null;
        synchronized (this) {
            if (queue.isEmpty()) {
                inFlight = false;
                waiter = idleWaiter;
                idleWaiter = null;
                batch = List.of();
            } else {
                batch = new ArrayList<>(queue);
                queue.clear();
            }
        }
        if (batch.isEmpty()) {
            if (waiter != null) {
                waiter.complete(null);
            }
            return;
        }
        List<OffsetsTopic.Entry> entries = new ArrayList<>();
        List<Request> issued = new ArrayList<>();
        for (Request r : batch) {
            try {
                entries.addAll(r.entries.get());
                issued.add(r);
            } catch (RuntimeException e) {
                r.done.completeExceptionally(e);
            }
        }
        CompletableFuture<Void> append;
        try {
            append = entries.isEmpty() ? CompletableFuture.completedFuture(null) : topic.append(partition, entries);
        } catch (RuntimeException e) {
            append = CompletableFuture.failedFuture(e);
        }
        append.whenComplete((v, error) -> {
            for (Request r : issued) {
                if (error != null) {
                    r.done.completeExceptionally(SluiceException.causeOf(error));
                    continue;
                }
                try {
                    r.onWritten.run();
                    r.done.complete(null);
                } catch (RuntimeException e) {
                    r.done.completeExceptionally(e);
                }
            }
            issueNext();
        });
    }
}
