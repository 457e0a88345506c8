package io.sluice.operator.roll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.operator.brokers.BrokerAdmin;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver's conversation with the brokers (over real HTTP) and the pod restarter. */
class RollDriverTest {
    private static final String NEW = "rev-2";
    private static final RollSettings SETTINGS = new RollSettings(Duration.ofSeconds(60), Duration.ofSeconds(3),
            Duration.ofMinutes(5), Duration.ofSeconds(2));
    private FakeBrokerApi api;
    private final List<Integer> restarted = new CopyOnWriteArrayList<>();
    private RollDriver driver;

    @BeforeEach
    void start() throws IOException {
        api = new FakeBrokerApi();
        for (int id = 0; id < 3; id++) {
            api.alive.put(id, true);
        }
        driver = new RollDriver(new BrokerAdmin(api.uri(), Duration.ofSeconds(2)), restarted::add, SETTINGS,
                Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static RollInput allOld() {
        return new RollInput(NEW, 3, List.of(new PodState(0, "rev-1", true), new PodState(1, "rev-1", true),
                new PodState(2, "rev-1", true)));
    }

    @Test
    void drainsUntilTheBrokerLeadsNothingThenRestartsItsPod() {
        api.drainAnswers.put(2, new ArrayDeque<>(List.of(2, 0)));
        RollOutcome first = driver.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.Drain.class, first.action());
        assertEquals(Integer.valueOf(2), first.next().leaderships());
        assertEquals("draining broker 2 before its restart (2 leadership(s) left)", first.message());
        assertEquals(List.of(), restarted);
        assertEquals(List.of("POST 2 timeoutMs=3000"), api.drains);
        assertEquals(Duration.ofSeconds(2), first.requeueAfter().orElseThrow());

        RollOutcome second = driver.step(first.next(), allOld());
        assertInstanceOf(RollAction.DeletePod.class, second.action());
        assertEquals(List.of(2), restarted);
        assertEquals(RollState.Phase.RESTARTING, second.next().phase());
        assertTrue(second.message().contains("broker 2 leads no partition"), second.message());
    }

    @Test
    void aFailedDrainWaitsAndKeepsTheDrainGoing() {
        api.drainAnswers.put(2, new ArrayDeque<>(List.of(-503)));
        RollOutcome outcome = driver.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.Wait.class, outcome.action());
        assertTrue(outcome.message().contains("drain of broker 2 refused"), outcome.message());
        assertEquals(RollState.Phase.DRAINING, outcome.next().phase());
        assertEquals(List.of(), restarted);
    }

    @Test
    void brokersWithoutTheDrainEndpointAreRestartedWithoutOne() {
        RollOutcome outcome = driver.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.DeletePod.class, outcome.action());
        assertTrue(outcome.message().contains("without a drain: the brokers have no drain endpoint"), outcome.message());
        assertEquals(List.of(2), restarted);
    }

    @Test
    void underReplicationStopsTheRollBeforeAnyDrain() {
        api.underReplicated = 3;
        api.drainAnswers.put(2, new ArrayDeque<>(List.of(0)));
        RollOutcome outcome = driver.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.Wait.class, outcome.action());
        assertTrue(outcome.message().contains("3 under-replicated partition(s)"), outcome.message());
        assertEquals(List.of(), api.drains);
        assertEquals(List.of(), restarted);
    }

    @Test
    void aFailingRestartIsTriedAgainNextTime() {
        api.drainAnswers.put(2, new ArrayDeque<>(List.of(0, 0)));
        RollDriver failing = new RollDriver(new BrokerAdmin(api.uri(), Duration.ofSeconds(2)), ordinal -> {
            throw new IllegalStateException("API server unavailable");
        }, SETTINGS, Clock.systemUTC());
        RollOutcome outcome = failing.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.Wait.class, outcome.action());
        assertTrue(outcome.message().contains("restarting broker 2 failed"), outcome.message());
        assertEquals(RollState.Phase.DRAINING, outcome.next().phase());
        RollOutcome retry = driver.step(outcome.next(), allOld());
        assertInstanceOf(RollAction.DeletePod.class, retry.action());
        assertEquals(List.of(2), restarted);
    }

    @Test
    void unreachableBrokersMakeTheRollWaitAndNothingElse() {
        api.close();
        RollOutcome outcome = driver.step(RollState.IDLE, allOld());
        assertInstanceOf(RollAction.Wait.class, outcome.action());
        assertTrue(outcome.message().startsWith("the brokers' API does not answer"), outcome.message());
        assertEquals(RollState.Phase.IDLE, outcome.next().phase());
    }

    @Test
    void nothingToRollAsksNothing() {
        api.close();
        RollInput updated = new RollInput(NEW, 1, List.of(new PodState(0, NEW, false)));
        RollOutcome outcome = driver.step(RollState.IDLE, updated);
        assertInstanceOf(RollAction.Done.class, outcome.action());
        assertTrue(outcome.requeueAfter().isEmpty());
        assertEquals(RollState.Phase.IDLE, outcome.next().phase());
        assertEquals(NEW, outcome.next().targetRevision());
    }
}
