package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The image tarball that {@code -Pimage-tar} writes (the profile passes its path as
 * {@code sluice.image.tar}; without the profile this test is skipped): named as the manifests
 * expect, non-root, the broker's ports exposed, a container-sized JVM, and the Quarkus fast-jar
 * where the entrypoint runs it.
 */
class ImageTarIT {
    private static final int BLOCK = 512;

    @Test
    void imageIsTheOneTheManifestsRun() throws IOException {
        String tar = System.getProperty("sluice.image.tar");
        Assumptions.assumeTrue(tar != null, "not built with -Pimage-tar");
        ApplicationFacts app = ApplicationFacts.read(Path.of("").toAbsolutePath());
        Map<String, byte[]> entries = entries(Files.newInputStream(Path.of(tar)));
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(entries.get("manifest.json")).get(0);
        assertEquals(app.image(), manifest.path("RepoTags").get(0).asText());

        JsonNode config = json.readTree(entries.get(manifest.path("Config").asText())).path("config");
        assertEquals("185", config.path("User").asText());
        Set<String> ports = new TreeSet<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        Set<String> expected = new TreeSet<>();
        for (int port : List.of(app.httpPort(), app.jgroupsPort(), app.failureDetectionPort(), app.replicationPort())) {
            expected.add(port + "/tcp");
        }
        assertEquals(expected, ports);
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> entrypoint.add(a.asText()));
        assertTrue(entrypoint.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")), entrypoint::toString);
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), entrypoint::toString);
        String jar = entrypoint.get(entrypoint.size() - 1);
        assertEquals("-jar", entrypoint.get(entrypoint.size() - 2), entrypoint::toString);

        Set<String> files = new TreeSet<>();
        for (JsonNode layer : manifest.path("Layers")) {
            entries(new GZIPInputStream(new ByteArrayInputStream(entries.get(layer.asText())))).keySet().forEach(files::add);
        }
        assertTrue(files.contains(jar.substring(1)), () -> jar + " is in no layer");
        assertTrue(files.stream().anyMatch(f -> f.startsWith("deployments/lib/main/")), "the application's libraries");
    }

    /** The regular files of a tar stream by name (ustar; PAX and GNU long-name headers skipped). */
    private static Map<String, byte[]> entries(InputStream stream) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = stream) {
            byte[] header = new byte[BLOCK];
            while (in.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                byte type = header[156];
                byte[] content = in.readNBytes((int) size);
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
                if (type == '0' || type == 0) {
                    entries.put(prefix.isEmpty() ? name : prefix + "/" + name, content);
                }
            }
        }
        return entries;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
