package io.sluice.api;

import io.sluice.broker.MemoryBudget;

/**
 * What one connection holds of the broker-wide outbound {@link MemoryBudget}: bytes reserved for
 * a frame being built, and frames handed to the socket that it has not written out yet. A frame
 * is reserved before its records are read and released once the socket has written it, so a
 * reader whose client does not read stops at {@link #capBytes} and then stops reading the log.
 * The window also notes when its socket last made progress, to find connections that stopped
 * draining. Used on the owning session's executor only; {@link #releaseAll} returns everything,
 * and later completions of frames it already counted are ignored.
 */
final class OutboundWindow {
    /** Frames a connection aims to have in flight: one being written while the next is read. */
    static final int FRAMES_IN_FLIGHT = 2;

    private final MemoryBudget budget;
    private final int capBytes;
    private long reservedBytes;
    private long inFlightBytes;
    private int inFlightFrames;
    private long progressNanos;
    private boolean released;

    OutboundWindow(MemoryBudget budget, int capBytes) {
        this.budget = budget;
        this.capBytes = capBytes;
    }

    /** The bytes a frame aims at: a share of the cap, so the next frame is read while one is written. */
    int frameBytes() {
        return capBytes / FRAMES_IN_FLIGHT;
    }

    /** Whether another frame of {@link #frameBytes} fits under the cap beside those in flight. */
    boolean hasRoom() {
        return inFlightBytes + frameBytes() <= capBytes;
    }

    /** Reserves {@code bytes} from the budget for this connection; false (nothing reserved) when it is full. */
    boolean reserve(long bytes) {
        if (released || !budget.tryReserve(bytes)) {
            return false;
        }
        reservedBytes += bytes;
        return true;
    }

    /** Returns reserved bytes that a frame turned out not to need. */
    void unreserve(long bytes) {
        if (released) {
            return;
        }
        if (bytes < 0 || bytes > reservedBytes - inFlightBytes) {
            throw new IllegalStateException("unreserve bytes=" + bytes + " reserved=" + reservedBytes + " inFlight="
                    + inFlightBytes);
        }
        reservedBytes -= bytes;
        budget.release(bytes);
    }

    /** A frame of {@code bytes} (already reserved) was handed to the socket. */
    void sent(long bytes, long nowNanos) {
        if (released) {
            return;
        }
        if (inFlightFrames == 0) {
            progressNanos = nowNanos;
        }
        inFlightFrames++;
        inFlightBytes += bytes;
    }

    /** The socket wrote out the oldest frame in flight, of {@code bytes}. */
    void written(long bytes, long nowNanos) {
        if (released) {
            return;
        }
        inFlightFrames--;
        inFlightBytes -= bytes;
        progressNanos = nowNanos;
        unreserve(bytes);
    }

    int inFlightFrames() {
        return inFlightFrames;
    }

    long inFlightBytes() {
        return inFlightBytes;
    }

    /** When the socket last wrote a frame out, or took the first of those now in flight. */
    long progressNanos() {
        return progressNanos;
    }

    /** Frames are waiting and none was written out for {@code timeoutNanos}. */
    boolean stalled(long nowNanos, long timeoutNanos) {
        return inFlightFrames > 0 && nowNanos - progressNanos >= timeoutNanos;
    }

    /** Returns everything this connection holds to the budget, for good. Idempotent. */
    void releaseAll() {
        if (!released) {
            released = true;
            budget.release(reservedBytes);
            reservedBytes = 0;
            inFlightBytes = 0;
            inFlightFrames = 0;
        }
    }

    long reservedBytes() {
        return reservedBytes;
    }
}
