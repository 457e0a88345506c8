package io.sluice.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.util.SocketFactory;
import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * Sluice's JGroups stack, built from protocol objects: Infinispan's {@code default-jgroups-tcp.xml}
 * with discovery by seed list (TCPPING) or DNS (DNS_PING) instead of multicast, failure detection
 * and merging tuned for a broker cluster, and every socket -- listening and connecting, data and
 * failure detection -- bound to the configured address, so that packet filters between
 * 127.0.0.11 and 127.0.0.12 cut exactly what they should.
 */
final class JGroupsStack {
    /** Flow control credits and fragment size as in Infinispan's default TCP stack. */
    private static final long MAX_CREDITS = 4L * 1024 * 1024;
    private static final int FRAG_SIZE = 60 * 1024;

    private JGroupsStack() {
    }

    static List<Protocol> protocols(ClusterConfig config) throws UnknownHostException {
        InetAddress bind = InetAddress.getByName(config.bindAddress());
        ClusterConfig.Timings t = config.timings();
        List<Protocol> stack = new ArrayList<>();
        TCP tcp = new TCP();
        tcp.setBindAddr(bind);
        tcp.setBindPort(config.bindPort());
        // the configured port or nothing: peers find this broker at exactly the port in their seed list
        tcp.setPortRange(0);
        // connecting sockets leave from the bind address too, not from whatever the routing table picks
        tcp.setClientBindAddr(bind);
        tcp.deferClientBindAddr(false);
        tcp.setSockConnTimeout(300);
        tcp.setValue("tcp_nodelay", true);
        // platform threads: predictable on a 2-core machine, and the same as the broker's other pools
        tcp.useVirtualThreads(false);
        stack.add(tcp);
        stack.add(discovery(config));
        MERGE3 merge = new MERGE3();
        merge.setMinInterval(t.mergeMinInterval().toMillis());
        merge.setMaxInterval(t.mergeMaxInterval().toMillis());
        merge.setCheckInterval(t.mergeMaxInterval().toMillis() * 2);
        stack.add(merge);
        stack.add(new BoundFdSock2(bind).setOffset(ClusterConfig.FAILURE_DETECTION_PORT_OFFSET).setPortRange(3));
        FD_ALL3 heartbeats = new FD_ALL3();
        heartbeats.setInterval(t.heartbeatInterval().toMillis());
        heartbeats.setTimeout(t.heartbeatTimeout().toMillis());
        stack.add(heartbeats);
        stack.add(new VERIFY_SUSPECT2().setTimeout(t.verifySuspect().toMillis()));
        NAKACK2 nakack = new NAKACK2();
        nakack.setValue("use_mcast_xmit", false);
        nakack.setXmitInterval(200);
        nakack.setResendLastSeqno(true);
        stack.add(nakack);
        stack.add(new UNICAST3().setValue("xmit_interval", 200L).setValue("conn_close_timeout", 5000L));
        stack.add(new STABLE().setDesiredAverageGossip(5000).setMaxBytes(1024 * 1024));
        GMS gms = new GMS();
        gms.setJoinTimeout(t.joinTimeout().toMillis());
        gms.setValue("print_local_addr", false);
        stack.add(gms);
        stack.add(new UFC().setValue("max_credits", MAX_CREDITS).setValue("min_threshold", 0.40));
        stack.add(new MFC().setValue("max_credits", MAX_CREDITS).setValue("min_threshold", 0.40));
        stack.add(new FRAG4().setValue("frag_size", FRAG_SIZE));
        return stack;
    }

    private static Protocol discovery(ClusterConfig config) {
        if (config.dnsQuery() != null) {
            // A records of a headless Service; each is probed at the transport's port
            return new DNS_PING().setDNSQuery(config.dnsQuery()).setValue("dns_record_type", "A");
        }
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (String member : config.members()) {
            ClusterConfig.HostPort hp = ClusterConfig.HostPort.parse(member);
            hosts.add(new InetSocketAddress(hp.host(), hp.port()));
        }
        TCPPING ping = new TCPPING();
        ping.setInitialHosts(hosts);
        ping.setPortRange(0);
        return ping;
    }

    /**
     * Hands Infinispan a channel built here. Infinispan copies its global configuration, which drops a
     * transport instance given to the builder; a channel configurator travels as a property and
     * survives the copy.
     */
    static final class Configurator implements JGroupsChannelConfigurator {
        private final JChannel channel;

        Configurator(JChannel channel) {
            this.channel = channel;
        }

        @Override
        public String getName() {
            return "sluice-tcp";
        }

        @Override
        public JChannel createChannel(String name) {
            return channel;
        }

        @Override
        public void setSocketFactory(SocketFactory socketFactory) {
            // the channel is built with its own sockets, bound to the configured address
        }

        @Override
        public void setDataSource(DataSource dataSource) {
            // no JDBC discovery in this stack
        }

        @Override
        public String getProtocolStackString() {
            return channel.getProtocolStack().printProtocolSpec(false);
        }

        @Override
        public List<ProtocolConfiguration> getProtocolStack() {
            return List.of();
        }
    }

    /**
     * FD_SOCK2 whose connecting sockets leave from the bind address. The stock protocol binds only its
     * server socket; its client sockets would leave from 127.0.0.1 and slip past a filter on .11.
     */
    static final class BoundFdSock2 extends FD_SOCK2 {
        BoundFdSock2(InetAddress bind) {
            // the same protocol id as FD_SOCK2: headers from peers are looked up by it
            setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
            setBindAddress(bind);
        }

        @Override
        protected NioServer createServer(int[] bindPorts) {
            NioServer server = super.createServer(bindPorts);
            server.clientBindAddress(bind_addr);
            return server;
        }
    }
}
