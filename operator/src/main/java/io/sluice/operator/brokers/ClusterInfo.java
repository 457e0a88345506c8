package io.sluice.operator.brokers;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /cluster}: every registered broker, which are alive, the broker running the controller,
 * and, from brokers that report them, the cluster-wide counts of under-replicated and offline
 * partitions (null when the answering broker is older and does not send them).
 *
 * @param quorum whether the answering broker is in a majority of the registered brokers; its view is
 *               stale when it is not
 */
public record ClusterInfo(String clusterId, int controller, boolean quorum, List<Member> brokers,
        Integer underReplicatedPartitions, Integer offlinePartitions) {
    public ClusterInfo {
        brokers = brokers == null ? List.of() : List.copyOf(brokers);
    }

    /** One registered broker; {@code draining} is null from brokers without the drain endpoints. */
    public record Member(int id, String host, int port, String rack, boolean alive, Boolean draining) {
        public boolean isDraining() {
            return Boolean.TRUE.equals(draining);
        }
    }

    public Optional<Member> broker(int id) {
        return brokers.stream().filter(b -> b.id() == id).findFirst();
    }

    public boolean isAlive(int id) {
        return broker(id).map(Member::alive).orElse(false);
    }

    /** True when every broker reports a rack: only then is rack spread a placement rule (as the brokers' own). */
    public boolean racksKnown() {
        return !brokers.isEmpty() && brokers.stream().allMatch(b -> b.rack() != null && !b.rack().isBlank());
    }

    @Override
    public String toString() {
        return "ClusterInfo[controller=" + controller + ", quorum=" + quorum + ", brokers=" + brokers
                + ", underReplicated=" + Objects.toString(underReplicatedPartitions, "?")
                + ", offline=" + Objects.toString(offlinePartitions, "?") + "]";
    }
}
