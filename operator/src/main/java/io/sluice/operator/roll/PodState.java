package io.sluice.operator.roll;

/**
 * One broker pod as the roll sees it: its StatefulSet ordinal (which is its broker id), the
 * StatefulSet revision it runs ({@code controller-revision-hash} label; null if unknown) and whether it
 * is ready. A pod being deleted (deletion timestamp set) must be given as not ready: it is going away.
 */
public record PodState(int ordinal, String revision, boolean ready) {
    public PodState {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal=" + ordinal + ": must be >= 0");
        }
    }
}
