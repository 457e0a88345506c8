package io.sluice.tier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * An in-process S3-compatible server (S3Proxy over a directory), bound to 127.0.0.1 on a free
 * port: the default tier when no endpoint is configured, so the broker always speaks real S3 over
 * HTTP, with signatures, to its store.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "sluice";
    public static final String SECRET_KEY = "sluice-embedded-secret";
    private static final long STARTUP_TIMEOUT_NANOS = 30_000_000_000L;

    private final S3Proxy proxy;

    private EmbeddedS3(S3Proxy proxy) {
        this.proxy = proxy;
    }

    /** Starts a server storing objects under {@code dir}; {@code port} 0 picks a free one. */
    public static EmbeddedS3 start(Path dir, int port) throws Exception {
        Files.createDirectories(dir);
        // Normalized: the blob store refuses (400 Bad Request) every key whose normalized path does
        // not start with its root, and "/x/./data/s3" (from the default data dir "./data") is a
        // root that no normalized path starts with.
        Path root = dir.toAbsolutePath().normalize();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(root.toString()))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT_NANOS;
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start on port " + port + ": " + proxy.getState());
            }
            Thread.sleep(5);
        }
        return new EmbeddedS3(proxy);
    }

    /** A port free on 127.0.0.1 right now (another process may take it before it is bound). */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
