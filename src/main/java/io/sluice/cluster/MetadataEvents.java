package io.sluice.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The store's event thread: it tells {@link MetadataListener}s about changes, in the order they
 * happened, and runs the store's own follow-up work (resyncs, snapshot offers), so none of it runs on
 * a JGroups or Infinispan thread. After {@link #close()} events are dropped.
 */
final class MetadataEvents implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MetadataEvents.class.getName());

    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    MetadataEvents(String threadName) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    void add(MetadataListener listener) {
        listeners.add(listener);
    }

    /** Tells every listener, on the event thread; a failing listener does not stop the others. */
    void tell(Consumer<MetadataListener> event) {
        run(() -> {
            for (MetadataListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "metadata listener " + l + " failed", e);
                }
            }
        });
    }

    void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nobody listens any more
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
