package io.sluice.replication;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;

/**
 * A frame that breaks the protocol: a length outside the limits, an unknown version or type, a
 * count or length that claims more than the frame holds, bytes left over. The connection it came
 * on is closed; nothing in it reaches a {@link RequestHandler}.
 */
public final class FrameDecodeException extends SluiceException {
    public FrameDecodeException(String message) {
        super(ErrorCode.INVALID_REQUEST, message);
    }
}
