package io.sluice.broker;

/**
 * A topic definition found unusable (at this start or an earlier one): which topic (by its file
 * name), what is wrong, where the file was set aside (relative to the data dir), and whether the
 * topic is served all the same (the bucket's copy of the definition brought it back).
 */
public record DamagedDefinition(String name, String problem, String setAsideAt, boolean restored) {
}
