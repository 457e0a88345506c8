package io.sluice.tier;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded S3-compatible store ({@link EmbeddedS3}) as a process of its own, so that several
 * broker processes on one machine can share one bucket: serves a directory on
 * {@code 127.0.0.1:PORT} with the fixed credentials {@link EmbeddedS3#ACCESS_KEY} and
 * {@link EmbeddedS3#SECRET_KEY} until it is stopped (SIGTERM or Ctrl-C stop it cleanly).
 *
 * <p>Runs from the packaged broker's class path, no build of its own:
 * <pre>
 * java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
 *      -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*' \
 *      io.sluice.tier.StandaloneS3 ./data/s3 9000
 * </pre>
 * (the log manager is the one the broker runs with; without it JBoss Logging complains that it was
 * set too late, and without {@code lib/boot} SLF4J finds no logger).
 * Once it serves, it prints one line starting with {@link #READY_LINE} and the endpoint to
 * standard output, which scripts and tests wait for.
 */
public final class StandaloneS3 {
    /** The start of the line printed once the store accepts requests. */
    public static final String READY_LINE = "sluice object store: serving";
    private static final int USAGE_ERROR = 2;
    private static final int START_FAILED = 1;

    private StandaloneS3() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: StandaloneS3 DIRECTORY PORT   (serves DIRECTORY on 127.0.0.1:PORT; PORT 0 picks one)");
            System.exit(USAGE_ERROR);
        }
        Path dir = Path.of(args[0]);
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            System.err.println("PORT must be a number, not " + args[1]);
            System.exit(USAGE_ERROR);
            return;
        }
        // S3Proxy reports the port it was given, not the one it bound: choose a free one here for 0.
        int bound = port == 0 ? EmbeddedS3.freeLoopbackPort() : port;
        EmbeddedS3 store;
        try {
            store = EmbeddedS3.start(dir, bound);
        } catch (Exception e) {
            // Jetty's trace is long and ends far from its cause ("Address already in use"): say it last.
            e.printStackTrace();
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println("sluice object store: cannot serve " + dir + " on 127.0.0.1:" + bound + ": " + cause);
            System.exit(START_FAILED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs this hook on SIGTERM and SIGINT: Jetty closes its listener before the process goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                store.close();
            } catch (Exception e) {
                System.err.println("stopping the object store: " + e);
            } finally {
                stopped.countDown();
            }
        }, "standalone-s3-stop"));
        System.out.println(READY_LINE + " " + dir.toAbsolutePath().normalize() + " at " + store.endpoint()
                + " (access key " + EmbeddedS3.ACCESS_KEY + ", secret key " + EmbeddedS3.SECRET_KEY + ")");
        System.out.flush();
        // Jetty's threads would keep the JVM alive too; waiting here makes that explicit.
        stopped.await();
    }
}
