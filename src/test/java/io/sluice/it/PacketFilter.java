package io.sluice.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Network partitions between loopback addresses, with iptables: {@link #cut} drops every packet
 * between two addresses, both ways; {@link #heal} removes every rule this filter inserted.
 *
 * <p>Traffic between two loopback addresses (127.0.0.11 to 127.0.0.12) leaves through OUTPUT and
 * comes back in through INPUT on {@code lo}; a DROP in INPUT for each direction is enough to cut
 * it (a SYN from a client bound to one address never reaches a listener on the other, and an open
 * connection stalls), so OUTPUT is left alone. Every rule carries the comment
 * {@code sluice-it-PID} of this JVM: rules that a killed test JVM left behind are removed by the
 * next filter created on the machine, and a shutdown hook heals on a normal exit.
 *
 * <p>Needs root (CAP_NET_ADMIN) and the iptables command: {@link #assumeAvailable} skips a test
 * with the reason when they are missing, except where {@code SLUICE_REQUIRE_PACKET_FILTER=1}
 * (CI sets it), where it fails, so partition tests cannot silently stop running there. Register
 * it with {@code @RegisterExtension} and it heals after every test, whether it passed or not.
 */
public final class PacketFilter implements AfterEachCallback, AfterAllCallback, AutoCloseable {
    private static final String COMMENT_PREFIX = "sluice-it-";
    private static final String COMMENT = COMMENT_PREFIX + ProcessHandle.current().pid();
    private static final String CHAIN = "INPUT";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    /** Seconds iptables waits for the xtables lock that another iptables run holds. */
    private static final String LOCK_WAIT_SECONDS = "10";

    /** The rules this filter inserted, each as its match and target (without chain). */
    private final List<List<String>> rules = new ArrayList<>();
    private final Thread healAtExit = new Thread(this::heal, "packet-filter-heal");

    public PacketFilter() {
        Runtime.getRuntime().addShutdownHook(healAtExit);
    }

    /** Why partitions cannot be made here, or null when they can. */
    public static String unavailableReason() {
        Result uid = run(List.of("id", "-u"));
        if (uid.exit != 0 || !uid.output.strip().equals("0")) {
            return "not root (uid " + uid.output.strip() + "): iptables needs CAP_NET_ADMIN";
        }
        Result list = run(List.of("iptables", "-w", LOCK_WAIT_SECONDS, "-S", CHAIN));
        if (list.exit != 0) {
            return "iptables does not work here (exit " + list.exit + "): " + list.output.strip()
                    + "; on Debian or Ubuntu: apt-get install iptables";
        }
        return null;
    }

    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Skips the calling test (or class) when partitions cannot be made, unless they are required. */
    public static void assumeAvailable() {
        String reason = unavailableReason();
        if (reason != null && "1".equals(System.getenv("SLUICE_REQUIRE_PACKET_FILTER"))) {
            throw new AssertionError("SLUICE_REQUIRE_PACKET_FILTER=1 but no packet filter: " + reason);
        }
        Assumptions.assumeTrue(reason == null, () -> "network partition tests skipped: " + reason);
    }

    /** Drops every packet from {@code a} to {@code b} and from {@code b} to {@code a}. */
    public synchronized void cut(String a, String b) {
        if (rules.isEmpty()) {
            removeLeftovers();
        }
        insert(List.of("-s", a, "-d", b, "-m", "comment", "--comment", COMMENT, "-j", "DROP"));
        insert(List.of("-s", b, "-d", a, "-m", "comment", "--comment", COMMENT, "-j", "DROP"));
    }

    /** Removes every rule this filter inserted; the network is whole again. */
    public synchronized void heal() {
        List<String> failures = new ArrayList<>();
        for (List<String> rule : rules) {
            Result r = iptables("-D", rule);
            if (r.exit != 0) {
                failures.add(String.join(" ", rule) + ": " + r.output.strip());
            }
        }
        rules.clear();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not remove iptables rules " + failures);
        }
    }

    /** The INPUT rules of this JVM now installed, as {@code iptables -S} prints them. */
    public static List<String> installedRules() {
        Result list = run(List.of("iptables", "-w", LOCK_WAIT_SECONDS, "-S", CHAIN));
        return list.output.lines().filter(l -> l.contains(COMMENT + " ") || l.endsWith(COMMENT)).toList();
    }

    private void insert(List<String> rule) {
        Result r = iptables("-I", rule);
        if (r.exit != 0) {
            throw new IllegalStateException("iptables -I " + CHAIN + " " + String.join(" ", rule) + " failed: "
                    + r.output.strip());
        }
        rules.add(rule);
    }

    /** Deletes rules whose JVM is gone (killed before it could heal). */
    private static void removeLeftovers() {
        for (String line : run(List.of("iptables", "-w", LOCK_WAIT_SECONDS, "-S", CHAIN)).output.lines().toList()) {
            int at = line.indexOf(COMMENT_PREFIX);
            if (!line.startsWith("-A " + CHAIN + " ") || at < 0) {
                continue;
            }
            String pid = line.substring(at + COMMENT_PREFIX.length()).split("[\\s\"]")[0];
            boolean alive = pid.chars().allMatch(Character::isDigit)
                    && ProcessHandle.of(Long.parseLong(pid)).isPresent();
            if (!alive) {
                List<String> rule = List.of(line.substring(("-A " + CHAIN + " ").length()).split(" "));
                iptables("-D", rule);
            }
        }
    }

    private static Result iptables(String action, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", LOCK_WAIT_SECONDS, action, CHAIN));
        command.addAll(rule);
        return run(command);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            // No such command: reported as a failed run, which is what available() asks.
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        heal();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        heal();
        try {
            Runtime.getRuntime().removeShutdownHook(healAtExit);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
    }
}
