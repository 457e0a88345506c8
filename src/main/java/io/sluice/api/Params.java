package io.sluice.api;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;

/**
 * Query and path parameters are taken as text and parsed here, so that a bad number is a 400
 * problem naming the parameter, never the framework's bare 404.
 */
final class Params {
    private Params() {
    }

    static long longParam(String raw, String name, long min, long max, Long fallback, ErrorCode code) {
        if (raw == null || raw.isEmpty()) {
            if (fallback == null) {
                throw new SluiceException(code, "query parameter '" + name + "' is required");
            }
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new SluiceException(code, "'" + name + "' must be a whole number, was '" + abbreviate(raw) + "'");
        }
        if (v < min || v > max) {
            throw new SluiceException(code, "'" + name + "' must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    static int intParam(String raw, String name, int min, int max, Integer fallback) {
        return (int) longParam(raw, name, min, max, fallback == null ? null : fallback.longValue(),
                ErrorCode.INVALID_REQUEST);
    }

    static int partition(String raw) {
        return (int) longParam(raw, "partition", 0, Integer.MAX_VALUE, null, ErrorCode.INVALID_REQUEST);
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
