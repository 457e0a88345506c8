package io.sluice.cluster;

/** Thrown by a write to the metadata on the minority side of a split, or while the store is stopping. */
public final class MetadataUnavailableException extends RuntimeException {
    public MetadataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
