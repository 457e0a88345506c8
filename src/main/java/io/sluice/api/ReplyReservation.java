package io.sluice.api;

import io.sluice.broker.MemoryBudget;

/**
 * The share of the outbound budget one REST reply holds: reserved before its records are read,
 * resized to the reply's real size once it is written, returned when the exchange ends (response
 * sent, or connection closed, whichever comes first, even while the read is still under way).
 */
final class ReplyReservation {
    private final MemoryBudget budget;
    private long heldBytes;
    private boolean ended;

    private ReplyReservation(MemoryBudget budget, long heldBytes) {
        this.budget = budget;
        this.heldBytes = heldBytes;
    }

    /** A reservation of {@code bytes}, or null when the budget cannot hold them now. */
    static ReplyReservation tryReserve(MemoryBudget budget, long bytes) {
        return budget.tryReserve(bytes) ? new ReplyReservation(budget, bytes) : null;
    }

    /**
     * Holds {@code bytes} from now on: returns what is not needed, or reserves what is missing.
     * False when the budget cannot hold the larger size (what was held stays held until {@link #end}).
     */
    synchronized boolean resize(long bytes) {
        if (ended) {
            return true; // the client is gone; the reply will be dropped, not held
        }
        if (bytes > heldBytes) {
            if (!budget.tryReserve(bytes - heldBytes)) {
                return false;
            }
        } else {
            budget.release(heldBytes - bytes);
        }
        heldBytes = bytes;
        return true;
    }

    /** Returns everything held. Idempotent. */
    synchronized void end() {
        if (!ended) {
            ended = true;
            budget.release(heldBytes);
            heldBytes = 0;
        }
    }
}
