package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The brokers of a Sluice cluster by id: the i-th URL of {@code --urls} is broker i's API, as
 * {@code bench/lib/sluice_cluster.sh} starts them. Every call is bounded, so a dead or paused
 * broker costs a timeout, never a hang, and the next broker is asked instead.
 */
final class ClusterBrokers {

    /** One partition as a broker describes it; leader -1 while it has none. */
    record PartitionView(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {

        static PartitionView of(JsonObject state) {
            return new PartitionView(state.getInteger("leader", -1), state.getInteger("leaderEpoch", -1),
                    ids(state.getJsonArray("replicas", new JsonArray())),
                    ids(state.getJsonArray("isr", new JsonArray())));
        }

        private static List<Integer> ids(JsonArray array) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                ids.add(array.getInteger(i));
            }
            return ids;
        }

        /** Whether the first replica leads, where the controller moves leadership back to once it can. */
        boolean preferredLeads() {
            return !replicas.isEmpty() && leader == replicas.get(0);
        }

        /** The ISR as {@code 0,1,2} (a RESULT value has no spaces). */
        String isrText() {
            return isr.isEmpty() ? "none" : String.join(",", isr.stream().map(String::valueOf).toList());
        }
    }

    /** How long one describe or create may take before the next broker is asked. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final long POLL_MILLIS = 100;

    private final List<URI> urls;
    private final List<SluiceRest> rests = new ArrayList<>();

    ClusterBrokers(Vertx vertx, List<URI> urls) {
        this.urls = List.copyOf(urls);
        for (URI url : urls) {
            rests.add(new SluiceRest(vertx, url, 4));
        }
    }

    /** {@code --urls http://a:8080,http://b:8080,...}: broker i at the i-th. */
    static List<URI> urls(Args args) {
        List<URI> urls = Arrays.stream(args.required("urls").split(",")).map(URI::create).toList();
        for (URI url : urls) {
            if (url.getHost() == null || url.getPort() < 0) {
                throw new IllegalArgumentException("--urls needs host and port in each, e.g. http://127.0.0.11:8080: " + url);
            }
        }
        return urls;
    }

    int size() {
        return urls.size();
    }

    URI url(int broker) {
        return urls.get(broker);
    }

    List<Integer> ids() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            ids.add(i);
        }
        return ids;
    }

    /** Creates the topic (an existing one is fine) through the first of {@code via} that answers. */
    void createTopic(String topic, int partitions, int replicationFactor, Map<String, String> config,
                     Collection<Integer> via) throws Exception {
        Exception last = null;
        for (int broker : via) {
            try {
                Benchmarks.await(rests.get(broker).createTopic(topic, partitions, replicationFactor, config), CALL_TIMEOUT);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IllegalStateException("no broker of " + via + " created topic " + topic + ": " + last, last);
    }

    /** The partition as the first of {@code from} that answers describes it; null if none does. */
    PartitionView describe(String topic, int partition, Collection<Integer> from) {
        for (int broker : from) {
            try {
                return PartitionView.of(Benchmarks.await(rests.get(broker).partitionState(topic, partition), CALL_TIMEOUT));
            } catch (Exception e) {
                // dead, paused or not ready: ask the next
            }
        }
        return null;
    }

    /**
     * Polls {@link #describe} until {@code until} holds for the view, at most {@code timeout};
     * the timeout's message carries the last view seen.
     */
    PartitionView await(String topic, int partition, Collection<Integer> from, Predicate<PartitionView> until,
                        String what, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        PartitionView last = null;
        while (true) {
            PartitionView view = describe(topic, partition, from);
            if (view != null) {
                last = view;
                if (until.test(view)) {
                    return view;
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new TimeoutException(topic + "-" + partition + ": no " + what + " within " + timeout
                        + " (last seen: " + last + ")");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
