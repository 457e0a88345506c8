package io.sluice.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster commands against {@link FakeSluice}, whose one server plays all three brokers. The
 * "leader" is a real process ({@code sleep}) that the failover command signals; the fake refuses
 * writes from the moment that process is gone or stopped until a fixed outage has passed, so the
 * measured failover must come out at about that outage.
 */
class ClusterCommandsTest {

    private static final long OUTAGE_MILLIS = 300;

    private FakeSluice broker;
    private Process leader;

    @BeforeEach
    void start() throws Exception {
        broker = new FakeSluice();
        leader = new ProcessBuilder("sleep", "600").start();
    }

    @AfterEach
    void stop() throws Exception {
        new ProcessBuilder("kill", "-s", "CONT", Long.toString(leader.pid())).start().waitFor();
        leader.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        broker.close();
    }

    @Test
    void awaitLeaderCreatesTheTopicAndNamesTheLeadersUrl() throws Exception {
        broker.leader = 2;

        Result result = new AwaitLeader().run(args("--topic", "a", "--replication-factor", "3",
                "--topic-config", "min.insync.replicas=2", "--timeout-seconds", "5"));

        assertEquals("2", result.field("leader"));
        assertEquals(broker.url(), result.field("leader_url"));
        assertEquals("0,1,2", result.field("isr"));
    }

    @Test
    void awaitLeaderGivesUpWhenTheIsrStaysShort() {
        assertThrows(java.util.concurrent.TimeoutException.class, () -> new AwaitLeader().run(args("--topic", "s",
                "--replication-factor", "1", "--isr", "3", "--timeout-seconds", "1")));
    }

    @Test
    void killTimesTheOutageFromTheSignalToTheFirstAcknowledgedWrite() throws Exception {
        broker.writable = outageFrom(ClusterCommandsTest::isSignalled, OUTAGE_MILLIS);
        new AwaitLeader().run(args("--topic", "k", "--replication-factor", "3"));

        Result result = new Failover().run(args("--topic", "k", "--signal", "KILL", "--timeout-seconds", "10",
                "--pids", leader.pid() + ",1,1"));

        assertTrue(leader.waitFor(5, TimeUnit.SECONDS), "the leader was killed");
        assertEquals("0", result.field("victim"));
        double failover = Double.parseDouble(result.field("failover_ms"));
        assertTrue(failover >= OUTAGE_MILLIS && failover < OUTAGE_MILLIS + 700, "failover_ms " + failover);
        assertTrue(result.field("outcomes").contains("207:NOT_ENOUGH_REPLICAS"), result.field("outcomes"));
        assertTrue(result.field("via").equals("1") || result.field("via").equals("2"), "via a survivor");
    }

    @Test
    void stopTimesTheOutageOfAPausedLeader() throws Exception {
        broker.writable = outageFrom(ClusterCommandsTest::isSignalled, OUTAGE_MILLIS);
        new AwaitLeader().run(args("--topic", "p", "--replication-factor", "3"));

        Result result = new Failover().run(args("--topic", "p", "--signal", "STOP", "--timeout-seconds", "10",
                "--pids", leader.pid() + ",1,1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> isStopped(leader.pid()));
        double failover = Double.parseDouble(result.field("failover_ms"));
        assertTrue(failover >= OUTAGE_MILLIS && failover < OUTAGE_MILLIS + 700, "failover_ms " + failover);
    }

    @Test
    void aRoundWithNoAcknowledgedWriteFailsWithinItsTimeout() throws Exception {
        broker.writable = outageFrom(ClusterCommandsTest::isSignalled, Long.MAX_VALUE / 2_000_000);
        new AwaitLeader().run(args("--topic", "n", "--replication-factor", "3"));
        long start = System.nanoTime();

        Exception failure = assertThrows(Exception.class, () -> new Failover().run(args("--topic", "n",
                "--signal", "KILL", "--timeout-seconds", "2", "--pids", leader.pid() + ",1,1")));

        assertTrue(String.valueOf(failure.getMessage()).contains("no write acknowledged"), failure.toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bounded by its timeout");
    }

    /**
     * Writable until {@code down} first holds for the leader (seen by the request that asks), then
     * not for {@code outageMillis}, then writable again. The kernel's view (/proc) is read, not
     * {@link Process#isAlive}, which learns of a death only when the JDK's reaper gets to it.
     */
    private BooleanSupplier outageFrom(LongPredicate down, long outageMillis) {
        AtomicLong downAt = new AtomicLong();
        return () -> {
            if (downAt.get() == 0 && down.test(leader.pid())) {
                downAt.set(System.nanoTime());
            }
            return downAt.get() == 0 || System.nanoTime() - downAt.get() >= outageMillis * 1_000_000;
        };
    }

    /**
     * No longer sleeping ({@code S}): the kernel wakes a sleeping process to deliver SIGKILL or
     * SIGSTOP before kill(2) returns, while dying ({@code Z}) or stopping ({@code T}) happens
     * when it next runs, which a busy machine can put off for a while.
     */
    private static boolean isSignalled(long pid) {
        return state(pid) != 'S';
    }

    /** State {@code T} in /proc/PID/stat: stopped by a signal. */
    private static boolean isStopped(long pid) {
        return state(pid) == 'T';
    }


    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (Exception e) {
            return 'X';
        }
    }

    private Args args(String... pairs) {
        String url = broker.url();
        String[] argv = new String[pairs.length + 2];
        argv[0] = "--urls";
        argv[1] = url + "," + url + "," + url;
        System.arraycopy(pairs, 0, argv, 2, pairs.length);
        return Args.parse(argv, 0);
    }
}
