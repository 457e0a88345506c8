package io.sluice.broker;

import java.util.List;

/**
 * The cluster as one broker sees it, for {@code GET /cluster}.
 *
 * @param controller the broker that runs the controller
 * @param quorum     whether this broker is in a majority of the registered brokers (it may change metadata)
 */
public record ClusterView(String clusterId, int controller, boolean quorum, List<Member> brokers) {
    public record Member(int id, String host, int port, String rack, boolean alive) {
    }
}
