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
    /**
     * The most bytes of records one append gathers, well under the topic's largest batch (1 MiB):
     * requests past it wait for the next append. A single larger request still goes alone.
     */
    static final int MAX_APPEND_BYTES = 512 * 1024;
    /** Per record, besides key and value: a generous bound on its varint framing in the batch. */
    private static final int RECORD_OVERHEAD_BYTES = 32;
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

    private synchronized void putBack(List<Request> rest) {
        for (int i = rest.size() - 1; i >= 0; i--) {
            queue.addFirst(rest.get(i));
        }
    }

    private static int sizeOf(List<OffsetsTopic.Entry> entries) {
        int size = 0;
        for (OffsetsTopic.Entry e : entries) {
            size += e.key().length + (e.value() == null ? 0 : e.value().length) + RECORD_OVERHEAD_BYTES;
        }
        return size;
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
        int bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            Request r = batch.get(i);
            List<OffsetsTopic.Entry> mine;
            try {
                mine = r.entries.get();
            } catch (RuntimeException e) {
                r.done.completeExceptionally(e);
                continue;
            }
            int size = sizeOf(mine);
            if (!issued.isEmpty() && bytes + size > MAX_APPEND_BYTES) {
                putBack(batch.subList(i, batch.size())); // computed again when their turn comes
                break;
            }
            entries.addAll(mine);
            issued.add(r);
            bytes += size;
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
