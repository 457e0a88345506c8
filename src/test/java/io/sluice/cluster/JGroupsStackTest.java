package io.sluice.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.FreePorts;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JGroupsStackTest {
    @TempDir
    Path dir;

    @Test
    void stackBindsEverySocketAndDiscoversBySeedsOrDns() throws Exception {
        ClusterConfig seeds = ClusterConfig.of("c", 1, dir).withBind("127.0.0.11", 7900)
                .withMembers(List.of("127.0.0.11:7900", "127.0.0.12:7900"));
        List<Protocol> stack = JGroupsStack.protocols(seeds);
        List<String> names = stack.stream().map(Protocol::getName).toList();
        assertEquals(List.of("TCP", "TCPPING", "MERGE3", "FD_SOCK2", "FD_ALL3", "VERIFY_SUSPECT2", "NAKACK2",
                "UNICAST3", "STABLE", "GMS", "UFC", "MFC", "FRAG4"), names.stream()
                .map(n -> n.equals("BoundFdSock2") ? "FD_SOCK2" : n).toList());
        TCP tcp = assertInstanceOf(TCP.class, stack.get(0));
        assertEquals(InetAddress.getByName("127.0.0.11"), tcp.getBindAddr());
        assertEquals(InetAddress.getByName("127.0.0.11"), tcp.getClientBindAddr());
        assertFalse(tcp.deferClientBindAddr());
        assertEquals(7900, tcp.getBindPort());
        assertEquals(2, assertInstanceOf(TCPPING.class, stack.get(1)).getInitialHosts().size());
        FD_SOCK2 fd = assertInstanceOf(FD_SOCK2.class, stack.get(3));
        assertEquals(InetAddress.getByName("127.0.0.11"), fd.getBindAddress());
        FD_ALL3 heartbeat = assertInstanceOf(FD_ALL3.class, stack.get(4));
        assertEquals(1000, heartbeat.getInterval());
        assertEquals(3500, heartbeat.getTimeout());

        ClusterConfig dns = ClusterConfig.of("c", 1, dir).withDnsQuery("sluice-headless.ns.svc.cluster.local");
        assertFalse(dns.isSingleBroker());
        assertInstanceOf(DNS_PING.class, JGroupsStack.protocols(dns).get(1));
        assertTrue(ClusterConfig.of("c", 1, dir).isSingleBroker());
    }

    @Test
    void badConfigIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.of("c", 1, dir).withMembers(List.of("no-port")));
        assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.of("c", 1, dir).withMembers(List.of("host:70000")));
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.of("c", -1, dir));
        assertEquals(12, ClusterConfig.brokerIdOf("broker-12"));
        assertEquals(-1, ClusterConfig.brokerIdOf("someone-else"));
    }

    /** Brokers on 127.0.0.11 and .12: no connection between them leaves from 127.0.0.1, so filters can cut them. */
    @Test
    void connectionsLeaveFromTheBindAddress() throws Exception {
        int port1 = FreePorts.pair();
        int port2 = FreePorts.pair();
        List<String> members = List.of("127.0.0.11:" + port1, "127.0.0.12:" + port2);
        try (InfinispanMetadataStore a = InfinispanMetadataStore.open(ClusterConfig.of("bound", 1,
                dir.resolve("a")).withBind("127.0.0.11", port1).withMembers(members));
                InfinispanMetadataStore b = InfinispanMetadataStore.open(ClusterConfig.of("bound", 2,
                        dir.resolve("b")).withBind("127.0.0.12", port2).withMembers(members))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.liveBrokers().equals(Set.of(1, 2)));
            for (InfinispanMetadataStore s : List.of(a, b)) {
                String mine = s == a ? "127.0.0.11" : "127.0.0.12";
                TCP tcp = (TCP) s.channel().getProtocolStack().getTransport();
                String data = tcp.printConnections();
                FD_SOCK2 fd = s.channel().getProtocolStack().findProtocol(FD_SOCK2.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> fd.printConnections().contains("127.0.0.1"));
                String failureDetection = fd.printConnections();
                for (String connections : List.of(data, failureDetection)) {
                    assertTrue(connections.contains(mine), connections);
                    assertFalse(connections.contains("127.0.0.1:"), "a socket left from 127.0.0.1: " + connections);
                }
            }
        }
    }
}
