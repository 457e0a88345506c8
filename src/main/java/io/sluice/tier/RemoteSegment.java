package io.sluice.tier;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A segment whose upload the object store confirmed: offsets {@code [baseOffset, nextOffset)},
 * its newest timestamp, its size, and the leader epoch it was written under. Serialized as the
 * segment's {@code .meta} object, so the remote view of a partition can be rebuilt by listing.
 */
public record RemoteSegment(long baseOffset, long nextOffset, int leaderEpoch, long maxTimestamp, long sizeBytes,
        long uploadedAtMs) {
    private static final String FORMAT_VERSION = "1";

    public long lastOffset() {
        return nextOffset - 1;
    }

    public byte[] toBytes() {
        Properties p = new Properties();
        p.setProperty("format.version", FORMAT_VERSION);
        p.setProperty("baseOffset", Long.toString(baseOffset));
        p.setProperty("nextOffset", Long.toString(nextOffset));
        p.setProperty("leaderEpoch", Integer.toString(leaderEpoch));
        p.setProperty("maxTimestamp", Long.toString(maxTimestamp));
        p.setProperty("sizeBytes", Long.toString(sizeBytes));
        p.setProperty("uploadedAtMs", Long.toString(uploadedAtMs));
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static RemoteSegment parse(byte[] bytes, String key) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            if (!FORMAT_VERSION.equals(p.getProperty("format.version"))) {
                throw new IOException("format.version=" + p.getProperty("format.version"));
            }
            return new RemoteSegment(Long.parseLong(p.getProperty("baseOffset")),
                    Long.parseLong(p.getProperty("nextOffset")), Integer.parseInt(p.getProperty("leaderEpoch")),
                    Long.parseLong(p.getProperty("maxTimestamp")), Long.parseLong(p.getProperty("sizeBytes")),
                    Long.parseLong(p.getProperty("uploadedAtMs")));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable remote segment metadata " + key + ": " + e.getMessage(), e);
        }
    }
}
