package io.sluice.broker;

import io.sluice.group.GroupCoordinator;

/** Reaches a broker's group coordinator from tests in other packages, to take a group's coordination away and back. */
public final class GroupCoordinators {
    private GroupCoordinators() {
    }

    public static GroupCoordinator of(Broker broker) {
        return broker.groupCoordinator();
    }
}
