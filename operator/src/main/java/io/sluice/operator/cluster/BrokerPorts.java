package io.sluice.operator.cluster;

/** The broker container's named ports (the Broker pod contract). */
public final class BrokerPorts {
    public static final String HTTP = "http";
    public static final int HTTP_PORT = 8080;
    public static final String JGROUPS = "jgroups";
    public static final int JGROUPS_PORT = 7800;
    /** JGroups' FD_SOCK2 listens at the bind port + 100. */
    public static final String JGROUPS_FD = "jgroups-fd";
    public static final int JGROUPS_FD_PORT = JGROUPS_PORT + 100;
    public static final String REPLICATION = "replication";
    public static final int REPLICATION_PORT = 9093;

    private BrokerPorts() {
    }
}
