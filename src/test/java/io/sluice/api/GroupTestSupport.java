package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the group tests share: members joining, waiting for a settled assignment, producing and counting values. */
abstract class GroupTestSupport extends ApiTest {
    String topic(String name, int partitions) {
        String t = "grp-" + name + "-" + RUN;
        api.createTopic(t, partitions);
        return created(t);
    }

    static String group(String name) {
        return "g-" + name + "-" + RUN;
    }

    GroupClient join(String name, String group, String topic, String extraQuery) {
        return GroupClient.open(name, api.ws("/ws/consume?group=" + group + "&topic=" + topic
                + (extraQuery.isEmpty() ? "" : "&" + extraQuery)), true);
    }

    static Set<String> all(String topic, int partitions) {
        Set<String> all = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(topic + "-" + p);
        }
        return all;
    }

    /** Whether the members' partitions are disjoint, cover {@code expected} and each has some. */
    static boolean split(List<GroupClient> members, Set<String> expected) {
        Set<String> union = new HashSet<>();
        int total = 0;
        for (GroupClient m : members) {
            Set<String> owned = m.owned();
            if (owned.isEmpty()) {
                return false;
            }
            union.addAll(owned);
            total += owned.size();
        }
        return total == expected.size() && union.equals(expected);
    }

    /** Waits until the members split {@code expected} and the group says STABLE. */
    void awaitStable(String group, List<GroupClient> members, Set<String> expected) {
        Wait.upTo(30).until(() -> split(members, expected)
                && "STABLE".equals(describeOrNull(group).path("state").asText()));
    }

    JsonNode describeOrNull(String group) {
        HttpApi.Reply r = api.get("/groups/" + group);
        return r.status() == 200 ? r.json() : HttpApi.JSON.createObjectNode();
    }

    /** Produces {@code count} records to every partition; record values are "{tag}-{p}-{i}". */
    void fill(String topic, int partitions, String tag, int count) {
        StringBuilder body = new StringBuilder("{\"records\":[");
        boolean first = true;
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < count; i++) {
                body.append(first ? "" : ",").append("{\"value\":\"").append(tag).append('-').append(p).append('-')
                        .append(i).append("\",\"partition\":").append(p).append('}');
                first = false;
            }
        }
        api.produce(topic, "", body.append("]}").toString());
    }

    /** How many times each value was delivered, over all members. */
    static Map<String, Integer> deliveries(List<GroupClient> members) {
        Map<String, Integer> seen = new HashMap<>();
        for (GroupClient m : members) {
            m.records().forEach(r -> seen.merge(r.get("value").asText(), 1, Integer::sum));
        }
        return seen;
    }

    static List<String> values(String tag, int partitions, int count) {
        List<String> values = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < count; i++) {
                values.add(tag + "-" + p + "-" + i);
            }
        }
        return values;
    }

    /** Waits until every value of {@code tag} was delivered to some member. */
    static void awaitDelivered(List<GroupClient> members, String tag, int partitions, int count) {
        List<String> expected = values(tag, partitions, count);
        Wait.upTo(30).until(() -> deliveries(members).keySet().containsAll(expected));
    }

    /** The committed offsets of a group, per partition "topic-p", as describe shows them (those with one). */
    Map<String, Long> committed(String group) {
        Map<String, Long> committed = new HashMap<>();
        for (JsonNode o : describeOrNull(group).path("offsets")) {
            if (o.get("committed").asLong() >= 0) {
                committed.put(o.get("topic").asText() + "-" + o.get("partition").asInt(), o.get("committed").asLong());
            }
        }
        return committed;
    }

    /** Waits until the group's committed offsets satisfy {@code condition}; on timeout, says what describe showed. */
    void awaitCommitted(String group, java.util.function.Predicate<Map<String, Long>> condition) {
        try {
            Wait.upTo(15).until(() -> condition.test(committed(group)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            HttpApi.Reply r = api.get("/groups/" + group);
            throw new AssertionError("committed offsets never as expected; GET /groups/" + group + ": " + r.status()
                    + " " + r.body() + "\nthe broker's threads:\n" + brokerThreads(), e);
        }
    }

    /** Where each of the broker's threads is: a commit that never comes is a task waiting on one of them. */
    private static String brokerThreads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("sluice-")) {
                dump.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    dump.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return dump.toString();
    }

    static void assertEachOnce(Map<String, Integer> delivered, List<String> values) {
        for (String v : values) {
            assertEquals(1, delivered.getOrDefault(v, 0), () -> v + " delivered " + delivered.get(v) + " times");
        }
        assertTrue(delivered.keySet().containsAll(values));
    }
}
