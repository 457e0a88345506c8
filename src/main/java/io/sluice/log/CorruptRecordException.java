package io.sluice.log;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;

/** A record batch failed validation (CRC, magic, length): the bytes are never served. */
public final class CorruptRecordException extends SluiceException {
    public CorruptRecordException(String message) {
        super(ErrorCode.CORRUPT_RECORD, message);
    }
}
