package io.sluice.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Signals the JDK does not send (it sends only TERM and KILL), through {@code kill(1)}. */
final class Signals {
    private static final long TIMEOUT_SECONDS = 10;

    private Signals() {
    }

    /** Sends {@code signal} (a name without SIG: STOP, CONT) to {@code pid}; fails when kill does. */
    static void send(long pid, String signal) {
        List<String> command = List.of("kill", "-" + signal, Long.toString(pid));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }
}
