package io.sluice.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one command as a single line, {@code RESULT key=value ...}, in insertion
 * order. Numbers use a dot whatever the locale, because the shell side parses them.
 */
final class Result {

    private final Map<String, String> fields = new LinkedHashMap<>();

    Result put(String key, long value) {
        fields.put(key, Long.toString(value));
        return this;
    }

    Result put(String key, double value) {
        fields.put(key, String.format(Locale.ROOT, "%.3f", value));
        return this;
    }

    /** A value without spaces (the line is split on them), such as a comma-separated list. */
    Result put(String key, String value) {
        if (value.isEmpty() || value.contains(" ")) {
            throw new IllegalArgumentException(key + " needs a value without spaces: '" + value + "'");
        }
        fields.put(key, value);
        return this;
    }

    Result put(String key, boolean value) {
        fields.put(key, Boolean.toString(value));
        return this;
    }

    String field(String key) {
        return fields.get(key);
    }

    void print() {
        System.out.println(fields.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ", "RESULT ", "")));
    }
}
