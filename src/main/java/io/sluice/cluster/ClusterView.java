package io.sluice.cluster;

import java.util.Set;
import java.util.TreeSet;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.NameCache;

/**
 * Brokers as the JGroups view sees them: a member named {@code broker-{id}} is a live broker, and
 * the view's coordinator (its first member) runs the controller. Each side of a split has its own
 * view, so each side also has its own coordinator; only an available side may act on it.
 */
final class ClusterView {
    private ClusterView() {
    }

    static Set<Integer> liveBrokers(JChannel channel) {
        View view = channel.getView();
        Set<Integer> live = new TreeSet<>();
        if (view != null) {
            for (Address a : view.getMembers()) {
                int id = ClusterConfig.brokerIdOf(NameCache.get(a));
                if (id >= 0) {
                    live.add(id);
                }
            }
        }
        return Set.copyOf(live);
    }

    /** @return the coordinator's broker id, or -1 before the first view */
    static int coordinator(JChannel channel) {
        View view = channel.getView();
        return view == null ? -1 : ClusterConfig.brokerIdOf(NameCache.get(view.getCoord()));
    }
}
