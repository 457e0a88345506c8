package io.sluice.cluster;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Runs the controller's decisions ({@link ReplicaAssigner}, {@link LeaderElection},
 * {@link Reassignment}) against the metadata store. Every broker runs one; it acts only while its
 * broker is the controller (the coordinator of the cluster view) and on the side of a split that
 * may write, so when the controller dies the next coordinator's instance simply starts acting.
 *
 * <p>A pass reads the whole metadata and writes what it finds to do: partition states for topics
 * that lack them, a leader where the current one is dead, a new version of the ISR without dead
 * followers, the next step of a reassignment, the preferred leader back once it has settled in the
 * ISR, and the removal of states whose topic is gone. A draining broker's leaderships move to other
 * in-sync replicas, and it is not made preferred leader again until it stops draining (see
 * {@link LeaderElection}). Writes are conditional; a write that loses a
 * race is dropped and the next pass decides again from what was stored. Passes run on the
 * controller's own thread, on every metadata event and on a periodic tick, so a missed or coalesced
 * event costs at most one tick.
 */
public final class Controller implements AutoCloseable {
    static final String UNCLEAN_ELECTION = "unclean.leader.election.enable";
    private static final System.Logger LOG = System.getLogger(Controller.class.getName());
    /** Transitions of one partition per pass: a leader change, then a reassignment's last steps. */
    private static final int MAX_STEPS_PER_PASS = 4;

    private final MetadataStore store;
    private final ScheduledExecutorService executor;
    private final ControllerSettings settings;
    private final LongSupplier clockMs;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** When each partition's preferred replica was first seen in its ISR; touched on the executor only. */
    private final Map<TopicPartition, InSyncSince> preferredInSync = new HashMap<>();
    /** Topics already reported as waiting for brokers, so the warning is not repeated every tick. */
    private final Set<String> waitingForBrokers = new HashSet<>();
    private volatile boolean closed;
    private boolean active;
    private ScheduledFuture<?> tick;

    /** A controller on a thread of its own. */
    public Controller(MetadataStore store, ControllerSettings settings) {
        this(store, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-controller");
            t.setDaemon(true);
            return t;
        }), settings, () -> System.nanoTime() / 1_000_000);
    }

    /**
     * @param executor the controller's own single thread: the controller owns it and shuts it down on
     *                 {@link #close()}
     * @param clockMs  a monotonic clock in milliseconds, which the preferred-leader settle is measured on
     */
    public Controller(MetadataStore store, ScheduledExecutorService executor, ControllerSettings settings,
            LongSupplier clockMs) {
        this.store = store;
        this.executor = executor;
        this.settings = settings;
        this.clockMs = clockMs;
    }

    public synchronized void start() {
        if (tick != null || closed) {
            throw new IllegalStateException("controller already started or closed");
        }
        store.addListener(new MetadataListener() {
            @Override
            public void membershipChanged(Set<Integer> liveBrokers) {
                requestPass();
            }

            @Override
            public void topicChanged(String topic) {
                requestPass();
            }

            @Override
            public void partitionChanged(TopicPartition partition) {
                requestPass();
            }

            @Override
            public void availabilityChanged(boolean available) {
                requestPass();
            }

            @Override
            public void drainingChanged() {
                requestPass();
            }
        });
        long period = settings.tick().toMillis();
        tick = executor.scheduleWithFixedDelay(this::passSafely, 0, period, TimeUnit.MILLISECONDS);
    }

    /** Stops acting: no pass starts after this returns, and a running one has ended. */
    @Override
    public synchronized void close() {
        closed = true;
        if (tick != null) {
            tick.cancel(false);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "controller pass still running 10 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Coalesces a burst of events into one queued pass. */
    private void requestPass() {
        if (closed || !passQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                passQueued.set(false);
                passSafely();
            });
        } catch (RejectedExecutionException e) {
            passQueued.set(false);
        }
    }

    /** A failed pass must not end the periodic tick (a scheduled task that throws is never run again). */
    private void passSafely() {
        try {
            pass();
        } catch (MetadataUnavailableException e) {
            LOG.log(Level.DEBUG, "controller pass stopped, metadata unavailable: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "controller pass failed, the next tick retries", e);
        }
    }

    /** One full pass; package-private so tests can drive the controller step by step. */
    void pass() {
        if (closed) {
            return;
        }
        if (!store.isAvailable() || !store.isController() || !store.hasQuorum()) {
            if (active) {
                LOG.log(Level.INFO, "broker {0} is no longer the acting controller", store.localBrokerId());
                active = false;
                preferredInSync.clear();
                waitingForBrokers.clear();
            }
            return;
        }
        if (!active) {
            LOG.log(Level.INFO, "broker {0} is the acting controller", store.localBrokerId());
            active = true;
        }
        Set<Integer> live = Set.copyOf(store.liveBrokers());
        Set<Integer> draining = Set.copyOf(store.drainingBrokers());
        Map<String, ClusterTopic> topics = store.topics();
        Map<TopicPartition, PartitionState> states = new HashMap<>();
        for (PartitionState s : store.partitions()) {
            states.put(s.key(), s);
        }
        removeOrphans(topics, states);
        for (ClusterTopic topic : topics.values()) {
            placeMissing(topic, states, live);
        }
        Set<TopicPartition> seen = new HashSet<>();
        for (PartitionState state : states.values()) {
            ClusterTopic topic = topics.get(state.topic());
            seen.add(state.key());
            settle(state, topic, live, draining);
        }
        preferredInSync.keySet().retainAll(seen);
    }

    /** States whose topic is gone, or was deleted and re-created under the same name. */
    private void removeOrphans(Map<String, ClusterTopic> topics, Map<TopicPartition, PartitionState> states) {
        for (PartitionState state : new ArrayList<>(states.values())) {
            ClusterTopic topic = topics.get(state.topic());
            if (topic == null || !topic.id().equals(state.topicId())) {
                if (store.removePartition(state)) {
                    LOG.log(Level.INFO, "{0}: removed the state of topic id {1}, which no longer exists",
                            state.key(), state.topicId());
                }
                states.remove(state.key());
            }
        }
    }

    private void placeMissing(ClusterTopic topic, Map<TopicPartition, PartitionState> states, Set<Integer> live) {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            if (!states.containsKey(new TopicPartition(topic.name(), p))) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            waitingForBrokers.remove(topic.name());
            return;
        }
        List<BrokerInfo> candidates = store.brokers().values().stream().filter(b -> live.contains(b.id())).toList();
        if (candidates.size() < topic.replicationFactor()) {
            // Placing replicas on dead brokers would start the partitions under-replicated; waiting
            // keeps them unavailable until enough brokers are back, as a topic created then would be.
            if (waitingForBrokers.add(topic.name())) {
                LOG.log(Level.WARNING, "topic {0} has replication factor {1} but only {2} brokers are alive: "
                        + "its partitions wait for more", topic.name(), topic.replicationFactor(), candidates.size());
            }
            return;
        }
        waitingForBrokers.remove(topic.name());
        int fresh = topic.id().hashCode();
        PartitionState first = states.get(new TopicPartition(topic.name(), 0));
        int start = first == null ? fresh : ReplicaAssigner.continuationStart(candidates, first.replicas(), fresh);
        Map<Integer, List<Integer>> placed = ReplicaAssigner.assign(candidates, missing,
                topic.replicationFactor(), start);
        for (Map.Entry<Integer, List<Integer>> e : placed.entrySet()) {
            PartitionState state = PartitionState.initial(topic.name(), topic.id(), e.getKey(), e.getValue());
            if (store.createPartition(state)) {
                LOG.log(Level.INFO, "{0}: placed on {1}", state.key(), state.replicas());
                states.put(state.key(), state);
            }
        }
    }

    /** Applies the partition's next transitions until none is due or a write loses a race. */
    private void settle(PartitionState stored, ClusterTopic topic, Set<Integer> live, Set<Integer> draining) {
        boolean unclean = Boolean.parseBoolean(topic.config().get(UNCLEAN_ELECTION));
        PartitionState state = stored;
        for (int step = 0; step < MAX_STEPS_PER_PASS; step++) {
            PartitionState current = state;
            Optional<PartitionState> next = LeaderElection.elect(current, live, draining, unclean)
                    .or(() -> Reassignment.step(current, live, draining))
                    .or(() -> settledPreferred(current, live, draining));
            if (next.isEmpty() || !write(state, next.get())) {
                return;
            }
            state = next.get();
        }
    }

    /**
     * The preferred leader restored, once it has been in the ISR for the settle time and is not
     * draining. Its time in the ISR counts on while it drains, so an undrained broker that never left
     * the ISR is leader again at the next pass.
     */
    private Optional<PartitionState> settledPreferred(PartitionState state, Set<Integer> live,
            Set<Integer> draining) {
        if (state.reassigning() || state.replicas().isEmpty()) {
            return Optional.empty();
        }
        int preferred = state.replicas().get(0);
        if (!live.contains(preferred) || !state.isr().contains(preferred)) {
            preferredInSync.remove(state.key());
            return Optional.empty();
        }
        long now = clockMs.getAsLong();
        InSyncSince since = preferredInSync.get(state.key());
        if (since == null || since.broker() != preferred) {
            since = new InSyncSince(preferred, now);
            preferredInSync.put(state.key(), since);
        }
        if (now - since.sinceMs() < settings.preferredLeaderSettle().toMillis()) {
            return Optional.empty();
        }
        return LeaderElection.restorePreferred(state, live, draining);
    }

    private boolean write(PartitionState expected, PartitionState updated) {
        if (!store.compareAndSet(expected, updated)) {
            LOG.log(Level.DEBUG, "{0}: lost a race for version {1}, re-read next pass", expected.key(),
                    updated.partitionEpoch());
            return false;
        }
        if (updated.leader() != expected.leader() || updated.leaderEpoch() != expected.leaderEpoch()) {
            LOG.log(Level.INFO, "{0}: leader {1} -> {2} at epoch {3}, isr {4}", updated.key(), expected.leader(),
                    updated.leader(), updated.leaderEpoch(), updated.isr());
        } else {
            LOG.log(Level.INFO, "{0}: replicas {1}, isr {2}, target {3}", updated.key(), updated.replicas(),
                    updated.isr(), updated.targetReplicas());
        }
        return true;
    }

    private record InSyncSince(int broker, long sinceMs) {
    }
}
