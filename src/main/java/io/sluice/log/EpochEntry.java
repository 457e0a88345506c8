package io.sluice.log;

/** One line of the leader-epoch file: leader epoch {@code epoch} wrote its first batch at {@code startOffset}. */
public record EpochEntry(int epoch, long startOffset) {
}
