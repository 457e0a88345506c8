package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.config.SluiceConfig;
import io.sluice.tier.Tier;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/group/storage}: the upload backlog (segments and bytes the tier does not have
 * yet) and the data dir's free space. Down when free space falls below
 * {@code sluice.tier.disk-headroom-alarm-bytes} (the local disk holds the backlog while the object
 * store is away, so this is the alarm before it fills), and when the store has refused every
 * upload for a minute or more (a wrong endpoint or credentials refuse for ever). Deliberately not
 * part of readiness: a broker whose store is down still serves produce and local reads.
 */
@ApplicationScoped
@HealthGroup("storage")
public class StorageHealth implements HealthCheck {
    private final Broker broker;
    private final long alarmBytes;

    public StorageHealth(Broker broker, SluiceConfig config) {
        this.broker = broker;
        this.alarmBytes = config.tier().diskHeadroomAlarmBytes();
    }

    static long freeBytes(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public HealthCheckResponse call() {
        long free = freeBytes(broker.config().dataDir());
        boolean diskOk = free < 0 || free >= alarmBytes;
        Tier tier = broker.tier();
        boolean uploadsFailing = tier != null && tier.uploadsFailing();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sluice-storage")
                .status(diskOk && !uploadsFailing)
                .withData("diskFreeBytes", free)
                .withData("diskAlarmBytes", alarmBytes);
        if (tier != null) {
            response.withData("uploadBacklogSegments", tier.uploader().backlogSegments())
                    .withData("uploadBacklogBytes", tier.uploader().backlogBytes())
                    .withData("uploadFailedAttempts", tier.uploader().failedAttempts())
                    .withData("uploadsFailingForMs", tier.uploader().failingForMs());
        }
        return response.build();
    }
}
