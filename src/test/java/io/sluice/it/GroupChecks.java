package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.group.GroupCoordinator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the group tests ask of a cluster: a group as {@code GET /groups/{g}} shows it through one
 * broker, the broker that coordinates a group (the leader of its {@code __consumer_offsets}
 * partition), and the checks on assignments and deliveries that several tests share.
 */
final class GroupChecks {
    static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final Duration POLL = Duration.ofMillis(100);

    private GroupChecks() {
    }

    /** A member as describe shows it: its id, host, and the partitions ("topic-p") it owns. */
    record MemberView(String memberId, String clientHost, Set<String> owned) {
    }

    /** A partition's committed offset (-1: none), end offset and lag. */
    record Position(long committed, long endOffset, long lag) {
    }

    /** One group through one broker. */
    record GroupView(String state, List<MemberView> members, Map<String, Position> offsets, JsonNode json) {
        /** committed offset per partition ("topic-p") that has one. */
        Map<String, Long> committed() {
            Map<String, Long> out = new TreeMap<>();
            offsets.forEach((tp, pos) -> {
                if (pos.committed() >= 0) {
                    out.put(tp, pos.committed());
                }
            });
            return out;
        }
    }

    /** {@code GET /groups/{g}} through broker {@code via}: the view, or null when it does not answer 200. */
    static GroupView describe(BrokerProcesses brokers, String group, int via) {
        if (!brokers.broker(via).isAlive() || brokers.broker(via).isPaused()) {
            return null;
        }
        try {
            BrokerClient.Reply reply = brokers.client(via).send("GET", "/groups/" + group, null);
            return reply.status() == 200 ? parse(reply.json()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static GroupView describe(BrokerClient client, String group) {
        return parse(client.expect(200, "GET", "/groups/" + group, null).json());
    }

    static GroupView parse(JsonNode json) {
        List<MemberView> members = new ArrayList<>();
        for (JsonNode m : json.path("members")) {
            Set<String> owned = new TreeSet<>();
            m.path("owned").forEach(p -> owned.add(p.get("topic").asText() + "-" + p.get("partition").asInt()));
            members.add(new MemberView(m.path("memberId").asText(), m.path("clientHost").asText(), owned));
        }
        Map<String, Position> offsets = new TreeMap<>();
        for (JsonNode o : json.path("offsets")) {
            offsets.put(o.get("topic").asText() + "-" + o.get("partition").asInt(), new Position(
                    o.path("committed").asLong(-1), o.path("endOffset").asLong(-1), o.path("lag").asLong(-1)));
        }
        return new GroupView(json.path("state").asText(), members, offsets, json);
    }

    /** The broker that coordinates {@code group} as broker {@code via} sees it, or -1 (no offsets topic or leader). */
    static int coordinator(BrokerProcesses brokers, String group, int via) {
        ClusterChecks.PartitionView view = ClusterChecks.describe(brokers, OFFSETS_TOPIC,
                GroupCoordinator.partitionFor(group), via);
        return view == null ? -1 : view.leader();
    }

    /** Waits until some live broker names a leader for the group's offsets partition, and returns it. */
    static int awaitCoordinator(BrokerProcesses brokers, String group) {
        return await().atMost(ClusterChecks.WAIT).pollInterval(POLL).until(() -> {
            for (int id = 0; id < brokers.size(); id++) {
                int c = coordinator(brokers, group, id);
                if (c >= 0) {
                    return c;
                }
            }
            return -1;
        }, c -> c >= 0);
    }

    /** Checks that the members' partitions of {@code topic} are pairwise disjoint and cover 0..partitions-1. */
    static void assertDisjointAndComplete(Collection<GroupMember> members, String topic, int partitions) {
        Set<Integer> seen = new HashSet<>();
        StringBuilder who = new StringBuilder();
        for (GroupMember m : members) {
            Set<Integer> mine = m.ownedPartitions(topic);
            who.append(m.name()).append('=').append(mine).append(' ');
            for (int p : mine) {
                assertTrue(seen.add(p), () -> "partition " + p + " is owned twice: " + who);
            }
        }
        assertEquals(partitions, seen.size(), () -> "not every partition is owned: " + who);
    }

    /** True when the members' partitions of {@code topic} are disjoint and cover 0..partitions-1. */
    static boolean disjointAndComplete(Collection<GroupMember> members, String topic, int partitions) {
        Set<Integer> seen = new HashSet<>();
        for (GroupMember m : members) {
            for (int p : m.ownedPartitions(topic)) {
                if (!seen.add(p)) {
                    return false;
                }
            }
        }
        return seen.size() == partitions;
    }

    /** Every record delivered to any of {@code members}, by value (a value delivered twice is there twice). */
    static Map<String, Integer> deliveredValues(Collection<GroupMember> members) {
        Map<String, Integer> count = new TreeMap<>();
        for (GroupMember m : members) {
            for (GroupMember.Delivered d : m.delivered()) {
                count.merge(d.value(), 1, Integer::sum);
            }
        }
        return count;
    }

    /** Per partition, the highest offset any of {@code members} was delivered. */
    static Map<Integer, Long> lastDelivered(Collection<GroupMember> members, String topic) {
        Map<Integer, Long> last = new TreeMap<>();
        for (GroupMember m : members) {
            m.lastDelivered(topic).forEach((p, o) -> last.merge(p, o, Math::max));
        }
        return last;
    }

    /** Where an acknowledged record was put. */
    record Placed(int partition, long offset) {
    }

    /**
     * Produces {@code count} keyed records (key {@code prefix-k-i}, value {@code prefix-i}) with acks=all
     * through {@code client}, partitioned by key; returns where each value went.
     */
    static Map<String, Placed> produceKeyed(BrokerClient client, String topic, String prefix, int count) {
        List<Map<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(Map.of("key", prefix + "-k-" + i, "value", prefix + "-" + i));
        }
        JsonNode offsets = client.expect(200, "POST", "/topics/" + topic + "/records?acks=all",
                Map.of("records", records)).json().get("offsets");
        Map<String, Placed> placed = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            placed.put(prefix + "-" + i, new Placed(offsets.get(i).get("partition").asInt(),
                    offsets.get(i).get("offset").asLong()));
        }
        return placed;
    }

    /** Offset reset body of API.md: {@code {"topic","to":{"offset":n}}}. */
    static Map<String, Object> resetToOffset(String topic, long offset) {
        return Map.of("topic", topic, "to", Map.of("offset", offset));
    }
}
