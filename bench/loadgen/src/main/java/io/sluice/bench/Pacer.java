package io.sluice.bench;

/**
 * A fixed-rate schedule: how many records are due at a given time so that exactly
 * {@code ratePerSecond} are sent on average from {@code startNanos} on. A late tick sends what
 * the schedule owes instead of skipping it, so the offered load is the same on both brokers
 * however the ticks jitter.
 */
final class Pacer {

    private final double ratePerSecond;
    private final long startNanos;
    private long scheduled;

    Pacer(double ratePerSecond, long startNanos) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.startNanos = startNanos;
    }

    /** Records due at {@code nowNanos} that earlier calls have not handed out yet. */
    int due(long nowNanos) {
        long target = (long) ((nowNanos - startNanos) * ratePerSecond / 1e9);
        int due = (int) Math.max(0, target - scheduled);
        scheduled += due;
        return due;
    }
}
