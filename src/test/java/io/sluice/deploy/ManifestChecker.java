package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks rendered Kubernetes objects against the application ({@link ApplicationFacts}): every
 * broker StatefulSet's image, ports, environment, probes, volumes and the Services, policies and
 * monitors that point at its pods. Returns what is wrong, one line each; an empty list is a pass.
 */
final class ManifestChecker {
    static final String CONTAINER = "sluice";
    static final String POD_INDEX_LABEL = "metadata.labels['apps.kubernetes.io/pod-index']";
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern DRAIN_TIMEOUT = Pattern.compile("timeoutMs=([0-9]+)");

    private final ApplicationFacts app;
    private final List<JsonNode> objects;
    private final List<String> problems = new ArrayList<>();

    private ManifestChecker(ApplicationFacts app, List<JsonNode> objects) {
        this.app = app;
        this.objects = objects;
    }

    /** Every problem of every broker StatefulSet (a container named {@value #CONTAINER}) among the objects. */
    static List<String> check(ApplicationFacts app, List<JsonNode> objects) {
        ManifestChecker checker = new ManifestChecker(app, objects);
        for (JsonNode sts : checker.ofKind("StatefulSet")) {
            checker.container(sts).ifPresent(c -> checker.checkBroker(sts, c));
        }
        return checker.problems;
    }

    static List<JsonNode> brokerStatefulSets(List<JsonNode> objects) {
        ManifestChecker checker = new ManifestChecker(null, objects);
        return checker.ofKind("StatefulSet").stream().filter(s -> checker.container(s).isPresent()).toList();
    }

    private void checkBroker(JsonNode sts, JsonNode container) {
        String where = "StatefulSet " + name(sts);
        JsonNode pod = sts.path("spec").path("template");
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        Env env = new Env(container, where);

        if (!app.image().equals(container.path("image").asText())) {
            problem(where + ": image " + container.path("image").asText() + ", the build produces " + app.image());
        }
        expectPort(where, ports, "http", app.httpPort());
        int jgroups = env.intValue("sluice.cluster.bind-port", app.jgroupsPort());
        expectPort(where, ports, "jgroups", jgroups);
        expectPort(where, ports, "jgroups-fd", jgroups + (app.failureDetectionPort() - app.jgroupsPort()));
        expectPort(where, ports, "replication", env.intValue("sluice.replication.port", app.replicationPort()));

        env.checkNames();
        env.expectField("SLUICE_BROKER_ID", POD_INDEX_LABEL);
        env.expectField("SLUICE_CLUSTER_BIND_ADDRESS", "status.podIP");
        env.expectField("SLUICE_CLUSTER_ADVERTISED_HOST", "status.podIP");
        JsonNode runAsUser = pod.path("spec").path("securityContext").path("runAsUser");
        if (!runAsUser.isMissingNode() && !runAsUser.asText().equals(app.jibUser())) {
            problem(where + ": runs as user " + runAsUser.asText() + ", the image's user is " + app.jibUser());
        }
        checkDiscovery(where, sts, env);
        checkDataDir(where, sts, container, env);
        checkProbes(where, container, ports);
        checkPreStop(where, pod, container);
        checkPodTargets(where, pod.path("metadata").path("labels"), ports);
    }

    private void checkDiscovery(String where, JsonNode sts, Env env) {
        Optional<String> query = env.value("SLUICE_CLUSTER_DNS_QUERY");
        if (query.isEmpty()) {
            problem(where + ": SLUICE_CLUSTER_DNS_QUERY is not set, the brokers do not find each other");
            return;
        }
        String host = query.get().split("\\.", 2)[0];
        String serviceName = sts.path("spec").path("serviceName").asText();
        if (!host.equals(serviceName)) {
            problem(where + ": DNS query " + query.get() + " is not its serviceName " + serviceName);
        }
        Optional<JsonNode> headless = named("Service", host);
        if (headless.isEmpty()) {
            problem(where + ": DNS query " + query.get() + " names no Service in the render");
        } else {
            JsonNode spec = headless.get().path("spec");
            if (!"None".equals(spec.path("clusterIP").asText()) || !spec.path("publishNotReadyAddresses").asBoolean()) {
                problem("Service " + host + ": not headless with publishNotReadyAddresses (DNS_PING needs every pod)");
            }
        }
        Matcher m = ENV_REFERENCE.matcher(query.get());
        while (m.find()) {
            if (!env.definedBefore(m.group(1), "SLUICE_CLUSTER_DNS_QUERY")) {
                problem(where + ": SLUICE_CLUSTER_DNS_QUERY uses $(" + m.group(1) + "), not defined before it");
            }
        }
    }

    private void checkDataDir(String where, JsonNode sts, JsonNode container, Env env) {
        Optional<String> dataDir = env.value("SLUICE_DATA_DIR");
        if (dataDir.isEmpty()) {
            problem(where + ": SLUICE_DATA_DIR is not set (the default " + app.properties().defaultOf("sluice.data-dir")
                    + " is not on a volume)");
            return;
        }
        List<String> claims = new ArrayList<>();
        sts.path("spec").path("volumeClaimTemplates").forEach(t -> claims.add(t.path("metadata").path("name").asText()));
        boolean mounted = false;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (claims.contains(mount.path("name").asText()) && mount.path("mountPath").asText().equals(dataDir.get())) {
                mounted = true;
            }
        }
        if (!mounted) {
            problem(where + ": no volume claim of " + claims + " is mounted at SLUICE_DATA_DIR " + dataDir.get());
        }
    }

    private void checkProbes(String where, JsonNode container, Map<String, Integer> ports) {
        expectProbe(where, container, ports, "livenessProbe", app.livenessPath());
        expectProbe(where, container, ports, "readinessProbe", app.readinessPath());
        JsonNode startup = container.path("startupProbe");
        if (!startup.isMissingNode()) {
            expectProbe(where, container, ports, "startupProbe", null);
        }
    }

    private void expectProbe(String where, JsonNode container, Map<String, Integer> ports, String kind, String path) {
        JsonNode get = container.path(kind).path("httpGet");
        if (get.isMissingNode()) {
            problem(where + ": no " + kind + " over HTTP");
            return;
        }
        String actual = get.path("path").asText();
        if (path != null ? !path.equals(actual) : !app.probePaths().contains(actual)) {
            problem(where + ": " + kind + " path " + actual + " is not " + (path != null ? path : "one of " + app.probePaths()));
        }
        if (!portExists(get.path("port"), ports)) {
            problem(where + ": " + kind + " port " + get.path("port").asText() + " is no container port " + ports);
        } else if (portNumber(get.path("port"), ports) != app.httpPort()) {
            problem(where + ": " + kind + " port " + get.path("port").asText() + " is not the HTTP port " + app.httpPort());
        }
    }

    private void checkPreStop(String where, JsonNode pod, JsonNode container) {
        JsonNode command = container.path("lifecycle").path("preStop").path("exec").path("command");
        if (command.isMissingNode()) {
            problem(where + ": no preStop hook hands leadership over");
            return;
        }
        StringBuilder text = new StringBuilder();
        command.forEach(c -> text.append(c.asText()).append(' '));
        if (!text.toString().contains(":" + app.httpPort() + "/cluster/brokers/$SLUICE_BROKER_ID/drain")) {
            problem(where + ": preStop does not drain this broker over HTTP port " + app.httpPort() + ": " + text);
        }
        Matcher timeout = DRAIN_TIMEOUT.matcher(text);
        long graceSeconds = pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        if (timeout.find() && Long.parseLong(timeout.group(1)) / 1000 >= graceSeconds) {
            problem(where + ": terminationGracePeriodSeconds " + graceSeconds + " leaves no time after the drain");
        }
    }

    /** Services, the PodDisruptionBudget, NetworkPolicies and PodMonitors selecting the broker pods. */
    private void checkPodTargets(String where, JsonNode podLabels, Map<String, Integer> ports) {
        boolean budget = false;
        for (JsonNode service : ofKind("Service")) {
            if (selects(service.path("spec").path("selector"), podLabels)) {
                for (JsonNode p : service.path("spec").path("ports")) {
                    JsonNode target = p.has("targetPort") ? p.path("targetPort") : p.path("port");
                    if (!portExists(target, ports)) {
                        problem("Service " + name(service) + ": targetPort " + target.asText() + " is no container port " + ports);
                    }
                }
            }
        }
        for (JsonNode pdb : ofKind("PodDisruptionBudget")) {
            budget |= selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels);
        }
        if (!budget) {
            problem(where + ": no PodDisruptionBudget selects its pods");
        }
        for (JsonNode policy : ofKind("NetworkPolicy")) {
            if (selects(policy.path("spec").path("podSelector").path("matchLabels"), podLabels)) {
                for (JsonNode rule : policy.path("spec").path("ingress")) {
                    for (JsonNode p : rule.path("ports")) {
                        if (!portExists(p.path("port"), ports)) {
                            problem("NetworkPolicy " + name(policy) + ": port " + p.path("port").asText() + " is no container port");
                        }
                    }
                }
            }
        }
        for (JsonNode monitor : ofKind("PodMonitor")) {
            if (selects(monitor.path("spec").path("selector").path("matchLabels"), podLabels)) {
                for (JsonNode endpoint : monitor.path("spec").path("podMetricsEndpoints")) {
                    if (!ports.containsKey(endpoint.path("port").asText())) {
                        problem("PodMonitor " + name(monitor) + ": port " + endpoint.path("port").asText() + " is no container port");
                    }
                    if (!app.metricsPath().equals(endpoint.path("path").asText())) {
                        problem("PodMonitor " + name(monitor) + ": path " + endpoint.path("path").asText() + " is not " + app.metricsPath());
                    }
                }
            }
        }
    }

    private void expectPort(String where, Map<String, Integer> ports, String name, int number) {
        Integer actual = ports.get(name);
        if (actual == null || actual != number) {
            problem(where + ": container port " + name + " is " + actual + ", the broker listens at " + number);
        }
    }

    private static boolean portExists(JsonNode port, Map<String, Integer> ports) {
        return port.isInt() ? ports.containsValue(port.asInt()) : ports.containsKey(port.asText());
    }

    private static int portNumber(JsonNode port, Map<String, Integer> ports) {
        return port.isInt() ? port.asInt() : ports.get(port.asText());
    }

    /** A selector (label map) selects a label set when every one of its labels is there. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private Optional<JsonNode> container(JsonNode sts) {
        for (JsonNode c : sts.path("spec").path("template").path("spec").path("containers")) {
            if (CONTAINER.equals(c.path("name").asText())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    private void problem(String text) {
        problems.add(text);
    }

    /** The container's environment: its own entries in order, then the ConfigMaps of its envFrom. */
    private final class Env {
        private final JsonNode container;
        private final String where;
        private final Map<String, String> fromConfigMaps = new HashMap<>();

        Env(JsonNode container, String where) {
            this.container = container;
            this.where = where;
            for (JsonNode source : container.path("envFrom")) {
                JsonNode ref = source.path("configMapRef");
                if (ref.isMissingNode()) {
                    continue;
                }
                Optional<JsonNode> map = named("ConfigMap", ref.path("name").asText());
                if (map.isEmpty()) {
                    if (!ref.path("optional").asBoolean()) {
                        problem(where + ": envFrom ConfigMap " + ref.path("name").asText() + " is not in the render");
                    }
                    continue;
                }
                String prefix = source.path("prefix").asText("");
                map.get().path("data").fields().forEachRemaining(e -> fromConfigMaps.put(prefix + e.getKey(), e.getValue().asText()));
            }
        }

        /** Every SLUICE_* variable and every key the ConfigMaps bring in names a real property. */
        void checkNames() {
            for (JsonNode e : container.path("env")) {
                String name = e.path("name").asText();
                if (name.startsWith("SLUICE_") && app.properties().propertyOfEnv(name).isEmpty()) {
                    problem(where + ": env " + name + " sets no sluice.* property");
                }
            }
            for (String key : fromConfigMaps.keySet()) {
                if (app.properties().propertyOfEnv(key).isEmpty()) {
                    problem(where + ": ConfigMap key " + key + " (envFrom) sets no sluice.* property");
                }
            }
        }

        private Optional<JsonNode> entry(String name) {
            for (JsonNode e : container.path("env")) {
                if (name.equals(e.path("name").asText())) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        /** A literal value: the container's own entry wins over the ConfigMaps'. */
        Optional<String> value(String name) {
            Optional<JsonNode> own = entry(name);
            if (own.isPresent()) {
                return own.get().has("value") ? Optional.of(own.get().path("value").asText()) : Optional.empty();
            }
            return Optional.ofNullable(fromConfigMaps.get(name));
        }

        int intValue(String property, int fallback) {
            return value(ConfigProperties.envName(property)).map(Integer::parseInt).orElse(fallback);
        }

        void expectField(String name, String fieldPath) {
            String actual = entry(name).map(e -> e.path("valueFrom").path("fieldRef").path("fieldPath").asText(null)).orElse(null);
            if (!fieldPath.equals(actual)) {
                problem(where + ": " + name + " comes from " + (actual == null ? "no field" : actual)
                        + ", not the downward API's " + fieldPath);
            }
        }

        /** Kubernetes expands {@code $(X)} from the ConfigMaps and the entries above, else leaves it as is. */
        boolean definedBefore(String variable, String user) {
            if (fromConfigMaps.containsKey(variable)) {
                return true;
            }
            for (JsonNode e : container.path("env")) {
                String name = e.path("name").asText();
                if (name.equals(user)) {
                    return false;
                }
                if (name.equals(variable)) {
                    return true;
                }
            }
            return false;
        }
    }
}
