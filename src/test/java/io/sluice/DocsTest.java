package io.sluice;

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
 * The documentation stands alone: it points at no file outside the repository and at no issue
 * number, and its relative links resolve.
 */
class DocsTest {
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|[Ii]ssue [0-9]+|#[0-9]{1,4}\\b");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        return pages;
    }

    @Test
    void noPageRefersOutsideTheRepositoryOrToIssues() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                if (OUTSIDE.matcher(lines.get(i)).find()) {
                    found.add(page + ":" + (i + 1) + ": " + lines.get(i));
                }
            }
        }
        assertTrue(found.isEmpty(), () -> String.join("\n", found));
    }

    @Test
    void relativeLinksResolve() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                Path target = page.toAbsolutePath().getParent().resolve(m.group(1)).normalize();
                if (!Files.exists(target)) {
                    broken.add(page + " -> " + m.group(1));
                }
            }
        }
        assertTrue(broken.isEmpty(), () -> String.join("\n", broken));
    }
}
