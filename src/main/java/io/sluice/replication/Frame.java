package io.sluice.replication;

/** One decoded frame: its kind, the correlation id that pairs a reply with its request, the message. */
public record Frame(FrameType type, int correlationId, Object message) {
    public Frame {
        if (!type.messageClass().isInstance(message)) {
            throw new IllegalArgumentException("a " + type + " frame carries a " + type.messageClass().getSimpleName()
                    + ", not " + (message == null ? "null" : message.getClass().getSimpleName()));
        }
    }
}
