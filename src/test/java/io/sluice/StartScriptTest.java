package io.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sluice} in a copy of the project whose {@code mvnw} and {@code java} are stand-ins that
 * record their calls: it builds when there is no build or a source is newer, says so, and otherwise
 * starts at once.
 */
class StartScriptTest {
    @TempDir
    Path project;

    private Path calls;

    private record Run(int exit, String stderr, List<String> calls) {
    }

    private void layout() throws IOException {
        Files.createDirectories(project.resolve("bin"));
        Files.copy(Path.of("bin/sluice"), project.resolve("bin/sluice"));
        Files.copy(Path.of("bin/sluice-build"), project.resolve("bin/sluice-build"));
        calls = project.resolve("calls.txt");
        Files.writeString(calls, "");
        script(project.resolve("mvnw"), "echo \"mvnw $*\" >> " + calls + "\nmkdir -p target/quarkus-app\n"
                + "touch target/quarkus-app/quarkus-run.jar\n");
        Files.createDirectories(project.resolve("fakebin"));
        script(project.resolve("fakebin/java"), "echo \"java $*\" >> " + calls + "\n");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("src/main/java/A.java"), "class A {}");
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        age(project.resolve("src/main/java/A.java"), 3600);
        age(project.resolve("pom.xml"), 3600);
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void age(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(seconds)));
    }

    private Run run() throws IOException, InterruptedException {
        Files.writeString(calls, "");
        ProcessBuilder pb = new ProcessBuilder(project.resolve("bin/sluice").toString(), "-Dx=1")
                .directory(project.toFile());
        pb.environment().put("PATH", project.resolve("fakebin") + ":" + System.getenv("PATH"));
        pb.environment().remove("SLUICE_NO_BUILD");
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bin/sluice did not finish");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.exitValue(), err, Files.readAllLines(calls));
    }

    @Test
    void buildsWhenNeverBuiltAndSaysSo() throws Exception {
        layout();
        Run first = run();
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.stderr().contains("building the broker (no build yet)"), first.stderr());
        assertTrue(first.calls().get(0).startsWith("mvnw "), first.calls()::toString);
        assertEquals("java -Dx=1 -jar target/quarkus-app/quarkus-run.jar", first.calls().get(1));
    }

    @Test
    void startsAtOnceWhenTheBuildIsCurrent() throws Exception {
        layout();
        run();
        Run second = run();
        assertEquals(List.of("java -Dx=1 -jar target/quarkus-app/quarkus-run.jar"), second.calls());
        assertFalse(second.stderr().contains("building"), second.stderr());
        assertTrue(second.stderr().contains("starting java"), second.stderr());
    }

    @Test
    void rebuildsWhenASourceOrThePomChanged() throws Exception {
        layout();
        run();
        age(project.resolve("target/quarkus-app/quarkus-run.jar"), 60);
        Files.writeString(project.resolve("src/main/java/A.java"), "class A { int x; }");
        Run afterEdit = run();
        assertTrue(afterEdit.calls().get(0).startsWith("mvnw "), afterEdit.calls()::toString);
        assertTrue(afterEdit.stderr().contains("src/main/java/A.java changed"), afterEdit.stderr());

        age(project.resolve("target/quarkus-app/quarkus-run.jar"), 60);
        Files.writeString(project.resolve("pom.xml"), "<project><!-- x --></project>");
        assertTrue(run().calls().get(0).startsWith("mvnw "));
    }
}
