package io.sluice.operator.brokers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of one Sluice cluster's REST API (any broker answers for the cluster: in Kubernetes the
 * client Service), for what an operator does: read the brokers and the partitions' replication
 * state, move replicas, hand a broker's leaderships away before it stops, and manage topics.
 *
 * <p>Every call has a timeout (the request timeout, plus the time a call lets the broker wait, as
 * a drain's {@code timeoutMs}) and fails with a typed {@link BrokerAdminException}. Every call is safe
 * to repeat: a drain or a reassignment asked twice does nothing more. Thread-safe; one instance per
 * cluster holds one {@link HttpClient}.
 */
public final class BrokerAdmin {
    /** The longest a drain may wait on the broker (the broker's own bound). */
    public static final Duration MAX_DRAIN_WAIT = Duration.ofMillis(120_000);
    private static final String PROBLEM_JSON = "application/problem+json";

    /** Brokers to ask, in order of preference; the one that answered last is asked first. */
    private final List<URI> bases;
    private final AtomicInteger preferred = new AtomicInteger();
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json = JsonMapper.builder()
            // Brokers add fields over time (draining, counts); an older client must still read them.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** A client of the cluster reachable at {@code base} ({@code http://host:port}), each call bounded by {@code requestTimeout}. */
    public BrokerAdmin(URI base, Duration requestTimeout) {
        this(base, requestTimeout, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout).build());
    }

    /**
     * A client that asks the first of {@code bases} that answers: a broker that cannot be reached (or
     * does not answer in time) is skipped for the next. Useful where no load-balanced address exists
     * (tests, an operator outside the cluster); in Kubernetes one base, the client Service, is enough.
     */
    public BrokerAdmin(List<URI> bases, Duration requestTimeout) {
        this(bases, requestTimeout, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout).build());
    }

    public BrokerAdmin(URI base, Duration requestTimeout, HttpClient http) {
        this(List.of(Objects.requireNonNull(base, "base")), requestTimeout, http);
    }

    public BrokerAdmin(List<URI> bases, Duration requestTimeout, HttpClient http) {
        if (bases == null || bases.isEmpty()) {
            throw new IllegalArgumentException("at least one broker address is needed");
        }
        this.bases = List.copyOf(bases);
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout=" + requestTimeout + ": must be positive");
        }
        this.http = Objects.requireNonNull(http, "http");
    }

    /** The broker address asked first (the one that answered last). */
    public URI base() {
        return bases.get(preferred.get());
    }

    // ---- cluster ------------------------------------------------------------------------------

    /** {@code GET /cluster}. */
    public ClusterInfo cluster() {
        return call("GET", "/cluster", null, requestTimeout, new TypeReference<ClusterInfo>() { });
    }

    /**
     * Under-replicated and offline partitions of the whole cluster: from {@code GET /cluster} when the
     * broker reports them, else counted here over every topic's partition states.
     */
    public ReplicationHealth replicationHealth() {
        return replicationHealth(cluster());
    }

    /** As {@link #replicationHealth()}, reusing a {@code GET /cluster} answer just read. */
    public ReplicationHealth replicationHealth(ClusterInfo cluster) {
        if (cluster.underReplicatedPartitions() != null && cluster.offlinePartitions() != null) {
            return new ReplicationHealth(cluster.underReplicatedPartitions(), cluster.offlinePartitions(),
                    ReplicationHealth.Source.CLUSTER, List.of());
        }
        return countReplication();
    }

    private ReplicationHealth countReplication() {
        int underReplicated = 0;
        int offline = 0;
        List<String> examples = new ArrayList<>();
        for (TopicSummary summary : topics()) {
            TopicDescription topic;
            try {
                topic = topic(summary.name());
            } catch (BrokerProblemException e) {
                if ("TOPIC_NOT_FOUND".equals(e.code())) {
                    continue; // deleted between the list and the description
                }
                throw e;
            }
            // A partition without a state has not been placed (too few brokers alive): it has no leader.
            int unplaced = topic.partitions() - topic.partitionStates().size();
            offline += Math.max(0, unplaced);
            for (TopicDescription.PartitionState p : topic.partitionStates()) {
                boolean bad = false;
                if (p.underReplicated()) {
                    underReplicated++;
                    bad = true;
                }
                if (p.offline()) {
                    offline++;
                    bad = true;
                }
                if (bad && examples.size() < 5) {
                    examples.add(topic.name() + "-" + p.partition() + " (leader " + p.leader() + ", replicas "
                            + p.replicas() + ", isr " + p.isr() + ")");
                }
            }
        }
        return new ReplicationHealth(underReplicated, offline, ReplicationHealth.Source.COUNTED, examples);
    }

    /**
     * {@code POST /cluster/brokers/{id}/drain?timeoutMs=}: marks the broker draining (its leaderships
     * move to other in-sync replicas) and waits up to {@code wait} (at most {@link #MAX_DRAIN_WAIT}) for
     * it to lead nothing. The answer's {@code leaderships} is what it still leads either way.
     * A broker without the endpoint answers {@link BrokerProblemException#isUnknownRoute()}.
     */
    public DrainResult drain(int brokerId, Duration wait) {
        long waitMs = Math.max(0, Math.min(wait.toMillis(), MAX_DRAIN_WAIT.toMillis()));
        return call("POST", "/cluster/brokers/" + brokerId + "/drain?timeoutMs=" + waitMs, null,
                requestTimeout.plusMillis(waitMs), new TypeReference<DrainResult>() { });
    }

    /** {@code DELETE /cluster/brokers/{id}/drain}: the broker may lead again; preferred leaders come back. */
    public DrainResult undrain(int brokerId) {
        return call("DELETE", "/cluster/brokers/" + brokerId + "/drain", null, requestTimeout,
                new TypeReference<DrainResult>() { });
    }

    // ---- topics -------------------------------------------------------------------------------

    /** {@code GET /topics}, sorted by name. */
    public List<TopicSummary> topics() {
        return call("GET", "/topics", null, requestTimeout, new TypeReference<List<TopicSummary>>() { });
    }

    /** {@code GET /topics/{t}}; an unknown topic is a {@link BrokerProblemException} with code {@code TOPIC_NOT_FOUND}. */
    public TopicDescription topic(String name) {
        return call("GET", "/topics/" + segment(name), null, requestTimeout, new TypeReference<TopicDescription>() { });
    }

    /** {@code POST /topics}; answers once every partition has a leader. 409 {@code TOPIC_ALREADY_EXISTS} if it exists. */
    public TopicDescription createTopic(String name, int partitions, int replicationFactor, Map<String, String> config) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("partitions", partitions);
        body.put("replicationFactor", replicationFactor);
        body.put("config", config == null ? Map.of() : config);
        return call("POST", "/topics", body, requestTimeout, new TypeReference<TopicDescription>() { });
    }

    /** {@code PATCH /topics/{t}/config}: sets overrides; a null value removes one. */
    public TopicDescription updateTopicConfig(String name, Map<String, String> changes) {
        return call("PATCH", "/topics/" + segment(name) + "/config", Map.of("config", changes), requestTimeout,
                new TypeReference<TopicDescription>() { });
    }

    /** {@code POST /topics/{t}/partitions}: grows the topic to {@code count} partitions. */
    public TopicDescription addPartitions(String name, int count) {
        return call("POST", "/topics/" + segment(name) + "/partitions", Map.of("count", count), requestTimeout,
                new TypeReference<TopicDescription>() { });
    }

    /** {@code DELETE /topics/{t}}. */
    public void deleteTopic(String name) {
        call("DELETE", "/topics/" + segment(name), null, requestTimeout, null);
    }

    // ---- reassignments ------------------------------------------------------------------------

    /** {@code POST /topics/{t}/reassignments}: sets the target replicas of the partitions named; answers every partition's progress. */
    public List<ReassignmentProgress> reassign(String topic, Map<Integer, List<Integer>> targets) {
        List<Map<String, Object>> partitions = new ArrayList<>();
        targets.forEach((partition, replicas) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("partition", partition);
            entry.put("replicas", replicas);
            partitions.add(entry);
        });
        return call("POST", "/topics/" + segment(topic) + "/reassignments", Map.of("partitions", partitions),
                requestTimeout, new TypeReference<Reassignments>() { }).partitions();
    }

    /** {@code GET /topics/{t}/reassignments}: every partition, moving or not. */
    public List<ReassignmentProgress> reassignments(String topic) {
        return call("GET", "/topics/" + segment(topic) + "/reassignments", null, requestTimeout,
                new TypeReference<Reassignments>() { }).partitions();
    }

    record Reassignments(List<ReassignmentProgress> partitions) {
        Reassignments {
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
        }
    }

    // ---- transport ----------------------------------------------------------------------------

    private <T> T call(String method, String pathAndQuery, Object body, Duration timeout, TypeReference<T> type) {
        int first = preferred.get();
        BrokerUnreachableException unreachable = null;
        for (int i = 0; i < bases.size(); i++) {
            int index = (first + i) % bases.size();
            try {
                T answer = callOne(bases.get(index), method, pathAndQuery, body, timeout, type);
                preferred.set(index);
                return answer;
            } catch (BrokerUnreachableException e) {
                if (unreachable != null) {
                    e.addSuppressed(unreachable);
                }
                unreachable = e;
            }
        }
        throw unreachable;
    }

    private <T> T callOne(URI base, String method, String pathAndQuery, Object body, Duration timeout,
            TypeReference<T> type) {
        String name = method + " " + pathAndQuery;
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(name + ": cannot encode the request body", e);
        }
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout)
                .header("Accept", "application/json, " + PROBLEM_JSON)
                .header("Content-Type", "application/json")
                .method(method, publisher).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw new BrokerUnreachableException(name, "no connection to " + base + " within " + timeout, true, e);
        } catch (HttpTimeoutException e) {
            throw new BrokerUnreachableException(name, "no answer from " + base + " within " + timeout, true, e);
        } catch (ConnectException e) {
            throw new BrokerUnreachableException(name, "cannot connect to " + base + ": " + e.getMessage(), false, e);
        } catch (IOException e) {
            throw new BrokerUnreachableException(name, "I/O error talking to " + base + ": " + e, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachableException(name, "interrupted", false, e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw problem(name, status, response.body());
        }
        if (type == null) {
            return null;
        }
        try {
            T value = json.readValue(response.body(), type);
            if (value == null) {
                throw new BrokerResponseException(name, "empty body (HTTP " + status + ")", null);
            }
            return value;
        } catch (IOException e) {
            throw new BrokerResponseException(name, "unreadable body (HTTP " + status + "): "
                    + preview(response.body()), e);
        }
    }

    private BrokerProblemException problem(String name, int status, byte[] body) {
        String code = null;
        String detail = null;
        try {
            JsonNode problem = json.readTree(body);
            if (problem != null && problem.isObject()) {
                code = problem.path("code").isTextual() ? problem.get("code").asText() : null;
                detail = problem.path("detail").isTextual() ? problem.get("detail").asText() : null;
            }
        } catch (IOException notJson) {
            detail = preview(body);
        }
        return new BrokerProblemException(name, status, code, detail);
    }

    private static String preview(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** Topic names are {@code [a-zA-Z0-9._-]}; encoded anyway, so a bad name fails at the broker, not in the URI parser. */
    private static String segment(String name) {
        return URLEncoder.encode(Objects.requireNonNull(name, "name"), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
