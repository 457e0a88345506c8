package io.sluice.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random runs of joins, clean leaves, deaths, session expiries, heartbeats and topics that
 * appear or grow, with members that obey their replies. After every step no partition is owned by
 * two live members; with the cooperative protocol a member never loses a partition that stays in
 * its target; once the churn stops the group settles with every partition owned exactly once.
 */
class RebalanceSafetyTest {
    private static final String G = "safety";
    private static final long SESSION_MS = 6_000;

    @TempDir
    Path dir;

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        long seed = 20261129L;
        for (RebalanceProtocol protocol : RebalanceProtocol.values()) {
            for (AssignmentStrategy strategy : AssignmentStrategy.values()) {
                for (int i = 0; i < 3; i++) {
                    runs.add(Arguments.of(protocol, strategy, seed++));
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} {1} seed={2}")
    @MethodSource("runs")
    void noPartitionIsEverOwnedByTwoMembers(RebalanceProtocol protocol, AssignmentStrategy strategy, long seed) {
        System.out.println("seed=" + seed + " " + protocol + " " + strategy);
        Random random = new Random(seed);
        try (GroupHarness h = new GroupHarness(dir)) {
            h.catalog.topic("t", 12).topic("u", 3);
            h.coordinate(G);
            Run run = new Run(h, protocol, strategy, random);
            for (int step = 0; step < 500; step++) {
                run.step(step);
                run.checkDisjoint(step);
            }
            run.settle();
        }
    }

    /** One run's live members, dead members and the moves between them. */
    private static final class Run {
        private final GroupHarness h;
        private final RebalanceProtocol protocol;
        private final AssignmentStrategy strategy;
        private final Random random;
        private final List<SimMember> alive = new ArrayList<>();
        private final Map<SimMember, Long> lastBeat = new HashMap<>();
        private int uPartitions = 3;
        private boolean vExists;

        Run(GroupHarness h, RebalanceProtocol protocol, AssignmentStrategy strategy, Random random) {
            this.h = h;
            this.protocol = protocol;
            this.strategy = strategy;
            this.random = random;
        }

        void step(int step) {
            int action = random.nextInt(100);
            if ((action < 14 && alive.size() < 7) || alive.isEmpty()) {
                List<String> topics = switch (random.nextInt(3)) {
                    case 0 -> List.of("t");
                    case 1 -> List.of("t", "u");
                    default -> List.of("t", "v");
                };
                SimMember m = new SimMember(G, topics, strategy, protocol, SESSION_MS);
                alive.add(m);
                beat(m);
            } else if (action < 20) {
                SimMember m = alive.remove(random.nextInt(alive.size()));
                m.leave(h.coordinator);
            } else if (action < 25) {
                alive.remove(random.nextInt(alive.size())); // dies: never heard from again, reads nothing
            } else if (action < 28) {
                if (random.nextBoolean() && uPartitions < 8) {
                    h.catalog.topic("u", ++uPartitions);
                } else if (!vExists) {
                    h.catalog.topic("v", 4);
                    vExists = true;
                }
            } else if (action < 38) {
                // Members about to miss their session heartbeat first, as a live session does.
                for (SimMember m : List.copyOf(alive)) {
                    if (h.clock.get() + 1_500 - lastBeat.get(m) >= SESSION_MS - 500) {
                        beat(m);
                    }
                }
                h.advance(1_500);
                h.coordinator.sweep();
            } else {
                beat(alive.get(random.nextInt(alive.size())));
            }
        }

        void beat(SimMember m) {
            Set<TopicPartition> before = Set.copyOf(m.owned);
            HeartbeatReply reply;
            try {
                reply = m.beat(h.coordinator);
            } catch (CompletionException e) {
                assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, ((SluiceException) e.getCause()).code());
                m.reset(); // fenced or expired: it gave everything up and joins again next time
                return;
            } finally {
                lastBeat.put(m, h.clock.get());
            }
            if (protocol == RebalanceProtocol.COOPERATIVE) {
                Set<TopicPartition> target = targetOf(m.id);
                for (TopicPartition lost : before) {
                    assertTrue(reply.assignment().contains(lost) || !target.contains(lost),
                            m.id + " lost " + lost + " which stays in its target " + target);
                }
            }
        }

        Set<TopicPartition> targetOf(String memberId) {
            return h.coordinator.describe(G).members().stream().filter(d -> d.memberId().equals(memberId))
                    .findFirst().orElseThrow().target();
        }

        void checkDisjoint(int step) {
            Map<TopicPartition, String> owners = new HashMap<>();
            for (SimMember m : alive) {
                for (TopicPartition tp : m.owned) {
                    String other = owners.put(tp, m.id);
                    assertTrue(other == null, "step " + step + ": " + tp + " owned by " + other + " and " + m.id);
                }
            }
        }

        /** No more churn: heartbeats go on (dead members expire) until the group is stable, then checks it. */
        void settle() {
            if (alive.isEmpty()) {
                SimMember m = new SimMember(G, List.of("t"), strategy, protocol, SESSION_MS);
                alive.add(m);
                beat(m);
            }
            for (int round = 0; round < 40; round++) {
                for (SimMember m : List.copyOf(alive)) {
                    beat(m);
                    checkDisjoint(-1);
                }
                h.advance(1_000);
                h.coordinator.sweep();
            }
            for (int round = 0; round < 5; round++) {
                alive.forEach(this::beat);
            }
            GroupDescription d = h.coordinator.describe(G);
            assertEquals(GroupState.STABLE, d.state(), d.toString());
            Set<TopicPartition> expected = new HashSet<>();
            for (SimMember m : alive) {
                for (String topic : m.topics) {
                    for (int p = 0; p < Math.max(0, h.catalog.partitionCount(topic)); p++) {
                        expected.add(new TopicPartition(topic, p));
                    }
                }
            }
            Set<TopicPartition> owned = new HashSet<>();
            alive.forEach(m -> owned.addAll(m.owned));
            assertEquals(expected, owned, "every partition read by the group is owned");
            checkDisjoint(-2);
            assertEquals(alive.size(), d.members().size());
        }
    }
}
