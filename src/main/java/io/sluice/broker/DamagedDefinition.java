package io.sluice.broker;

/**
 * A topic definition found unusable at start: which topic (by its file name), what is wrong,
 * where the file was set aside (relative to the data dir), and whether the bucket's copy of the
 * definition brought the topic back.
 */
public record DamagedDefinition(String name, String problem, String setAsideAt, boolean restored) {
}
