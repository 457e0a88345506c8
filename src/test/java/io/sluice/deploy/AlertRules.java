package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus rules against the broker's meters: every {@code sluice_*} series an alert asks
 * for is a meter the broker registers (by its Micrometer name in {@code io.sluice.api}, as the
 * Prometheus registry writes it: dots as underscores, plus a unit or {@code _total} suffix), and
 * every {@code job="..."} is the job the PodMonitor gives the brokers.
 */
final class AlertRules {
    private static final Pattern METER_NAME = Pattern.compile("\"(sluice(?:\\.[a-z0-9]+)+)\"");
    private static final Pattern SERIES = Pattern.compile("\\bsluice_[a-z0-9_]+\\b");
    private static final Pattern JOB = Pattern.compile("\\bjob\\s*=\\s*\"([^\"]*)\"");
    private static final List<String> SUFFIXES = List.of("", "_total", "_seconds", "_bytes", "_bytes_total",
            "_seconds_bucket", "_seconds_count", "_seconds_sum", "_seconds_max");

    private AlertRules() {
    }

    /** The Micrometer names of the meters the broker's API layer registers, as Prometheus names without suffix. */
    static Set<String> brokerSeries(Path apiSources) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(apiSources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                if (!source.contains("io.micrometer.core.instrument")) {
                    continue;
                }
                Matcher m = METER_NAME.matcher(source);
                while (m.find()) {
                    names.add(m.group(1).replace('.', '_'));
                }
            }
        }
        return names;
    }

    static List<String> check(List<JsonNode> objects, Set<String> brokerSeries) {
        List<String> problems = new ArrayList<>();
        Set<String> jobs = new TreeSet<>();
        for (JsonNode monitor : objects) {
            if ("PodMonitor".equals(monitor.path("kind").asText())) {
                String jobLabel = monitor.path("spec").path("jobLabel").asText(null);
                String job = jobLabel == null ? monitor.path("metadata").path("namespace").asText("<namespace>") + "/"
                        + ManifestChecker.name(monitor) : monitor.path("spec").path("selector").path("matchLabels").path(jobLabel).asText(null);
                if (job == null) {
                    problems.add("PodMonitor " + ManifestChecker.name(monitor) + ": jobLabel " + jobLabel + " is not among the labels it selects");
                } else {
                    jobs.add(job);
                }
            }
        }
        for (JsonNode rules : objects) {
            if (!"PrometheusRule".equals(rules.path("kind").asText())) {
                continue;
            }
            for (JsonNode group : rules.path("spec").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                    String expr = rule.path("expr").asText();
                    Matcher series = SERIES.matcher(expr);
                    while (series.find()) {
                        if (!exported(series.group(), brokerSeries)) {
                            problems.add("rule " + name + ": " + series.group() + " is no meter the broker exports");
                        }
                    }
                    Matcher job = JOB.matcher(expr);
                    while (job.find()) {
                        if (!jobs.contains(job.group(1))) {
                            problems.add("rule " + name + ": job \"" + job.group(1) + "\" is not a PodMonitor's job " + jobs);
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static boolean exported(String series, Set<String> brokerSeries) {
        return SUFFIXES.stream().anyMatch(suffix -> series.endsWith(suffix)
                && brokerSeries.contains(series.substring(0, series.length() - suffix.length())));
    }
}
