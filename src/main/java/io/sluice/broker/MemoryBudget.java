package io.sluice.broker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget of bytes that many clients draw from at once: request bodies being parsed, batches
 * waiting for a partition's writer, fetch replies and outbound frames. A caller reserves what it
 * is about to hold before it allocates it and releases it when the memory is garbage; a
 * reservation that does not fit is refused at once (back-pressure is a returned result, not an
 * exception), so the caller can answer 413, 429 or 503 instead of running the heap out.
 */
public final class MemoryBudget {
    private final String name;
    private final long capacityBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    public MemoryBudget(String name, long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("budget " + name + ": capacityBytes=" + capacityBytes + " must be > 0");
        }
        this.name = name;
        this.capacityBytes = capacityBytes;
    }

    /** Reserves {@code bytes} if they fit under the capacity; false (and nothing reserved) if not. */
    public boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("budget " + name + ": bytes=" + bytes + " must be >= 0");
        }
        while (true) {
            long used = usedBytes.get();
            if (used + bytes > capacityBytes) {
                refusals.incrementAndGet();
                return false;
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        long after = usedBytes.addAndGet(-bytes);
        if (after < 0) {
            throw new IllegalStateException("budget " + name + ": released " + bytes + " bytes, more than reserved"
                    + " (used now " + after + ")");
        }
    }

    public String name() {
        return name;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long usedBytes() {
        return usedBytes.get();
    }

    /** Reservations refused since start, for metrics. */
    public long refusals() {
        return refusals.get();
    }
}
