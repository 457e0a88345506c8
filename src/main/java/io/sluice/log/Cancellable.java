package io.sluice.log;

/** Handle of a registered wait; cancelling it twice, or after it fired, does nothing. */
@FunctionalInterface
public interface Cancellable {
    void cancel();
}
