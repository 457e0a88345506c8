package io.sluice.tier;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A segment whose upload the object store confirmed: offsets {@code [baseOffset, nextOffset)},
 * its newest timestamp, its size, the leader epoch it was written under and the id of the upload
 * that wrote it. Serialized as the segment's {@code .meta} object, so the remote view of a
 * partition can be rebuilt by listing.
 */
public record RemoteSegment(long baseOffset, long nextOffset, int leaderEpoch, String uploadId, long maxTimestamp,
        long sizeBytes, long uploadedAtMs) {
    /** Version 1: offsets, epoch, timestamp, size. Version 2 adds the upload id that is part of every key. */
    private static final String FORMAT_VERSION = "2";
    private static final int UPLOAD_ID_BYTES = 8;
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{" + 2 * UPLOAD_ID_BYTES + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public RemoteSegment {
        if (baseOffset < 0 || nextOffset <= baseOffset) {
            throw new IllegalArgumentException("remote segment offsets: baseOffset=" + baseOffset + " nextOffset="
                    + nextOffset);
        }
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new IllegalArgumentException("remote segment uploadId=" + uploadId);
        }
    }

    /** A fresh upload id: one per upload, so two uploads never write the same key. */
    public static String newUploadId() {
        byte[] bytes = new byte[UPLOAD_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public long lastOffset() {
        return nextOffset - 1;
    }

    public byte[] toBytes() {
        Properties p = new Properties();
        p.setProperty("format.version", FORMAT_VERSION);
        p.setProperty("baseOffset", Long.toString(baseOffset));
        p.setProperty("nextOffset", Long.toString(nextOffset));
        p.setProperty("leaderEpoch", Integer.toString(leaderEpoch));
        p.setProperty("uploadId", uploadId);
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
                throw new IOException("format.version=" + p.getProperty("format.version") + ", expected "
                        + FORMAT_VERSION);
            }
            return new RemoteSegment(Long.parseLong(p.getProperty("baseOffset")),
                    Long.parseLong(p.getProperty("nextOffset")), Integer.parseInt(p.getProperty("leaderEpoch")),
                    p.getProperty("uploadId"), Long.parseLong(p.getProperty("maxTimestamp")),
                    Long.parseLong(p.getProperty("sizeBytes")), Long.parseLong(p.getProperty("uploadedAtMs")));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable remote segment metadata " + key + ": " + e.getMessage(), e);
        }
    }
}
