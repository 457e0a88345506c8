package io.sluice.api;

import com.sun.management.UnixOperatingSystemMXBean;
import io.quarkus.runtime.StartupEvent;
import io.sluice.broker.Broker;
import io.sluice.broker.Topic;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Says at start-up when the process's descriptor limit is below what the connection cap and the
 * open partitions can take together (docs/operations.md, "Connections and limits"): running out
 * fails segment rolls and partition creation, not just connections.
 */
@ApplicationScoped
public class DescriptorCheck {
    private static final System.Logger LOG = System.getLogger(DescriptorCheck.class.getName());
    /** Open files per partition: the active segment's log (closed segments count in max-open-segment-files). */
    static final int FILES_PER_PARTITION = 1;
    /** For the JVM, the embedded store, uploads, and files a read in progress holds past the bound. */
    static final int RESERVE = 1024;

    private final Broker broker;
    private final int maxConnections;

    public DescriptorCheck(Broker broker,
            @ConfigProperty(name = "quarkus.http.limits.max-connections") int maxConnections) {
        this.broker = broker;
        this.maxConnections = maxConnections;
    }

    void onStart(@Observes StartupEvent start) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) {
            return;
        }
        int partitions = broker.topics().stream().mapToInt(Topic::partitionCount).sum();
        warning(os.getMaxFileDescriptorCount(), maxConnections, partitions, broker.config().maxOpenSegmentFiles())
                .ifPresent(w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    static long needed(int maxConnections, int partitions, int maxOpenSegmentFiles) {
        return (long) maxConnections + (long) FILES_PER_PARTITION * partitions + maxOpenSegmentFiles + RESERVE;
    }

    static Optional<String> warning(long limit, int maxConnections, int partitions, int maxOpenSegmentFiles) {
        long needed = needed(maxConnections, partitions, maxOpenSegmentFiles);
        if (limit >= needed) {
            return Optional.empty();
        }
        return Optional.of("the descriptor limit (ulimit -n) is " + limit + ", below the " + needed + " that "
                + maxConnections + " connections (quarkus.http.limits.max-connections) and " + partitions
                + " partitions and " + maxOpenSegmentFiles + " closed segment files (sluice.log.max-open-segment-files)"
                + " can hold open; raise it, or lower the connection cap");
    }
}
