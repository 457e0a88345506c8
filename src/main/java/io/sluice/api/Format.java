package io.sluice.api;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Locale;

/** How a key, value or header travels in JSON (API.md, "Encodings"). */
public enum Format {
    /** Any JSON value, stored as its compact UTF-8 text. */
    JSON,
    /** A JSON string, stored as UTF-8. */
    STRING,
    /** A base64 string, stored as the decoded bytes. */
    BINARY;

    static Format parse(String value, Format fallback, String parameter) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Format.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, parameter + " must be json, string or binary, was '"
                    + value + "'");
        }
    }
}
