package io.sluice.operator.roll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a rolling restart stands between two reconciliations, kept in the SluiceCluster's status
 * ({@code status.roll}, a string map, see {@link #toMap}) because the reconciler keeps nothing.
 *
 * @param phase          Idle (nothing in flight), Draining (the broker is handing its leaderships away),
 *                       Restarting (its pod was deleted; waiting for it to be back, ready, the ISR whole)
 * @param broker         the ordinal in flight, -1 when Idle
 * @param targetRevision the revision this roll moves pods to (null before any roll)
 * @param since          when the phase began (null when Idle)
 * @param leaderships    the last drain answer, null before the first
 * @param restarted      ordinals rolled to {@code targetRevision} so far, in order
 * @param note           the last decision's reason, for people
 */
public record RollState(Phase phase, int broker, String targetRevision, Instant since, Integer leaderships,
        List<Integer> restarted, String note) {
    /** The roll's phases, with the words status shows. */
    public enum Phase {
        IDLE("Idle"), DRAINING("Draining"), RESTARTING("Restarting");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Phase ofLabel(String label) {
            for (Phase p : values()) {
                if (p.label.equalsIgnoreCase(label)) {
                    return p;
                }
            }
            return null;
        }
    }

    public static final RollState IDLE = new RollState(Phase.IDLE, -1, null, null, null, List.of(), null);

    public RollState {
        if (phase == null) {
            throw new IllegalArgumentException("phase is required");
        }
        if (phase != Phase.IDLE && (broker < 0 || since == null)) {
            throw new IllegalArgumentException("phase=" + phase + " needs a broker and since, was broker=" + broker
                    + " since=" + since);
        }
        restarted = restarted == null ? List.of() : List.copyOf(restarted);
    }

    RollState draining(int ordinal, String revision, Instant now, String why) {
        return new RollState(Phase.DRAINING, ordinal, revision, now, null, restarted, why);
    }

    RollState restarting(Instant now, String why) {
        return new RollState(Phase.RESTARTING, broker, targetRevision, now, leaderships, restarted, why);
    }

    RollState withLeaderships(int count) {
        return new RollState(phase, broker, targetRevision, since, count, restarted, note);
    }

    RollState withNote(String why) {
        return new RollState(phase, broker, targetRevision, since, leaderships, restarted, why);
    }

    /** Idle again, {@code broker} counted as rolled. */
    RollState finished(String why) {
        List<Integer> done = new ArrayList<>(restarted);
        if (!done.contains(broker)) {
            done.add(broker);
        }
        return new RollState(Phase.IDLE, -1, targetRevision, null, null, done, why);
    }

    /** Idle, aimed at {@code revision}: a new target forgets what the last roll restarted. */
    RollState idleFor(String revision, String why) {
        List<Integer> done = revision.equals(targetRevision) ? restarted : List.of();
        return new RollState(Phase.IDLE, -1, revision, null, null, done, why);
    }

    /**
     * The status form: string values only, every key every time, {@code ""} for an absent value. The
     * status is written with a JSON merge patch, which keeps keys a patch leaves out: a key dropped
     * from the map would live on in the stored status with a stale value.
     */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("phase", phase.label());
        map.put("broker", broker >= 0 ? Integer.toString(broker) : "");
        map.put("targetRevision", targetRevision == null ? "" : targetRevision);
        map.put("since", since == null ? "" : since.toString());
        map.put("leaderships", leaderships == null ? "" : leaderships.toString());
        map.put("restarted", restarted.stream().map(String::valueOf).collect(Collectors.joining(",")));
        map.put("note", note == null ? "" : note);
        return map;
    }

    /**
     * Reads {@link #toMap}'s form. Null, empty or unreadable reads as {@link #IDLE} (with what could be
     * read of the target): safe, because the roll re-derives everything but a drain's start from
     * the pods and the brokers; only a drain's deadline starts again.
     */
    public static RollState fromMap(Map<String, String> stored) {
        if (stored == null || stored.isEmpty()) {
            return IDLE;
        }
        Map<String, String> map = new LinkedHashMap<>();
        stored.forEach((k, v) -> {
            if (v != null && !v.isBlank()) { // "" is how toMap writes an absent value
                map.put(k, v);
            }
        });
        String target = map.get("targetRevision");
        List<Integer> restarted = new ArrayList<>();
        try {
            String list = map.getOrDefault("restarted", "");
            for (String id : list.split(",")) {
                if (!id.isBlank()) {
                    restarted.add(Integer.parseInt(id.trim()));
                }
            }
            Phase phase = Phase.ofLabel(map.getOrDefault("phase", ""));
            if (phase == null || phase == Phase.IDLE) {
                return new RollState(Phase.IDLE, -1, target, null, null, restarted, map.get("note"));
            }
            int broker = Integer.parseInt(map.get("broker"));
            Instant since = Instant.parse(map.get("since"));
            Integer leaderships = map.containsKey("leaderships") ? Integer.valueOf(map.get("leaderships")) : null;
            return new RollState(phase, broker, target, since, leaderships, restarted, map.get("note"));
        } catch (RuntimeException garbled) { // NumberFormatException, DateTimeParseException, NPE, invalid combination
            return new RollState(Phase.IDLE, -1, target, null, null, List.of(), "unreadable roll state " + stored
                    + " read as Idle (" + garbled.getClass().getSimpleName() + ")");
        }
    }
}
