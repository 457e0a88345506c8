package io.sluice.log;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Which closed segments of a log have outlived their retention, oldest first. Whole segments only,
 * never the active one. Without a tier, past total retention ({@code retention.ms/bytes}). With one,
 * only once the segment's upload is confirmed (DESIGN invariant 4), and then past the local retention
 * ({@code local.retention.*}) or the total one.
 */
final class Retention {
    private Retention() {
    }

    static List<LogSegment> expired(NavigableMap<Long, LogSegment> segments, LogConfig c, SegmentTiering tiering,
            long now) {
        List<LogSegment> expired = new ArrayList<>();
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        int remaining = segments.size();
        for (LogSegment oldest : segments.values()) {
            if (remaining <= 1) {
                break;
            }
            boolean pastTotal = past(c.retentionMs(), c.retentionBytes(), oldest, total, now);
            boolean deletable = c.remoteStorage()
                    ? tiering.isUploaded(oldest.baseOffset(), oldest.nextOffset())
                            && (pastTotal || past(c.effectiveLocalRetentionMs(), c.effectiveLocalRetentionBytes(),
                                    oldest, total, now))
                    : pastTotal;
            if (!deletable) {
                break;
            }
            expired.add(oldest);
            total -= oldest.size();
            remaining--;
        }
        return expired;
    }

    private static boolean past(long retentionMs, long retentionBytes, LogSegment oldest, long total, long now) {
        boolean overSize = retentionBytes >= 0 && total - oldest.size() >= retentionBytes;
        boolean expired = retentionMs >= 0 && oldest.maxTimestamp() >= 0 && now - oldest.maxTimestamp() > retentionMs;
        return overSize || expired;
    }
}
