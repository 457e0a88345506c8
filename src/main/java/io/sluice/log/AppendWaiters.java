package io.sluice.log;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One-shot callbacks waiting for data to become visible in a log: long polls and WebSocket
 * readers park here and are woken by the append itself, with no polling loop.
 */
final class AppendWaiters {
    private final Queue<Waiter> waiting = new ConcurrentLinkedQueue<>();

    /** A registered callback; {@link #cancel} it when the reader stops waiting. */
    final class Waiter implements Cancellable {
        private final Runnable callback;
        private final AtomicBoolean done = new AtomicBoolean();

        private Waiter(Runnable callback) {
            this.callback = callback;
        }

        void fire() {
            if (done.compareAndSet(false, true)) {
                callback.run();
            }
        }

        @Override
        public void cancel() {
            if (done.compareAndSet(false, true)) {
                waiting.remove(this);
            }
        }
    }

    Waiter add(Runnable callback) {
        Waiter w = new Waiter(callback);
        waiting.add(w);
        return w;
    }

    void fireAll() {
        Waiter w;
        while ((w = waiting.poll()) != null) {
            w.fire();
        }
    }

    int size() {
        return waiting.size();
    }
}
