package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The api reaches partitions only through {@code Broker} (fetch, awaitData, partitionInfo): no
 * source of {@code io.sluice.api} names the log or the broker's partition, so that a partition led
 * by another broker can be served behind {@code Broker} without the api noticing. A plain read of
 * the sources, no new dependency: an import of a forbidden type, of one nested in it, a static
 * import from it, a wildcard import of its package, or a fully qualified use all fail.
 */
class ApiLayeringTest {
    private static final Path API_SOURCES = Path.of("src", "main", "java", "io", "sluice", "api");
    /** The types behind the facade; a name that merely starts with one (PartitionInfo) is fine. */
    private static final Pattern FORBIDDEN_TYPE = Pattern.compile(
            "\\bio\\.sluice\\.(?:log\\.(?:PartitionLog|LogSegment)|broker\\.Partition)(?![\\w$])");
    /** A wildcard import of their packages would bring them in unnamed. */
    private static final Pattern WILDCARD_IMPORT = Pattern.compile(
            "(?m)^\\s*import\\s+(?:static\\s+)?io\\.sluice\\.(?:log|broker)\\.\\*\\s*;");

    @Test
    void noApiSourceNamesTheLogOrThePartition() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(API_SOURCES)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(sources.size() > 10, "the api sources were not found under " + API_SOURCES.toAbsolutePath()
                + ": the check would pass on nothing");
        List<String> violations = new ArrayList<>();
        for (Path source : sources) {
            violations.addAll(violations(source.getFileName().toString(), Files.readString(source)));
        }
        assertEquals(List.of(), violations, "api must reach partitions through Broker only");
    }

    /** The check itself, against sources that break the rule and ones that keep it. */
    @Test
    void theCheckCatchesEveryWayInAndOnlyThose() {
        String[] breaking = {
            "import io.sluice.log.PartitionLog;",
            "import io.sluice.log.LogSegment;",
            "import io.sluice.broker.Partition;",
            "import io.sluice.log.PartitionLog.ReadResult;",
            "import static io.sluice.log.PartitionLog.LEADER_EPOCH;",
            "import io.sluice.log.*;",
            "  import static io.sluice.broker.*;",
            "class X { int e = io.sluice.log.PartitionLog.LEADER_EPOCH; }",
            "class X { io.sluice.broker.Partition p; }",
        };
        for (String source : breaking) {
            assertEquals(1, violations("X.java", source).size(), "not caught: " + source);
        }
        String[] keeping = {
            "import io.sluice.broker.PartitionInfo;",
            "import io.sluice.broker.Partitioners;",
            "import io.sluice.log.LogRecord;",
            "import io.sluice.log.PartitionLogs;",
            "import io.sluice.log.LogSegments;",
            "import io.sluice.broker.Broker;",
            "class X { String s = \"PartitionLog\"; }",
        };
        for (String source : keeping) {
            assertEquals(List.of(), violations("X.java", source), "wrongly refused: " + source);
        }
    }

    private static List<String> violations(String file, String source) {
        List<String> found = new ArrayList<>();
        for (Pattern p : List.of(FORBIDDEN_TYPE, WILDCARD_IMPORT)) {
            Matcher m = p.matcher(source);
            while (m.find()) {
                found.add(file + ":" + line(source, m.start()) + ": " + m.group().strip());
            }
        }
        return found;
    }

    private static int line(String source, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
