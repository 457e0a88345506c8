package io.sluice.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Options of the form {@code --name value}. A command reads what it knows and then calls
 * {@link #requireAllRead()}, so a misspelt option fails the run instead of silently measuring
 * the default.
 */
final class Args {

    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    private Args(Map<String, String> values) {
        this.values = values;
    }

    static Args parse(String[] argv, int from) {
        Map<String, String> values = new HashMap<>();
        for (int i = from; i < argv.length; i += 2) {
            if (!argv[i].startsWith("--") || i + 1 == argv.length) {
                throw new IllegalArgumentException("expected --name value at argument " + i + ": " + argv[i]);
            }
            values.put(argv[i].substring(2), argv[i + 1]);
        }
        return new Args(values);
    }

    String string(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null) {
            throw new IllegalArgumentException("missing option --" + name);
        }
        return value;
    }

    int integer(String name, int fallback) {
        return Math.toIntExact(longValue(name, fallback));
    }

    long longValue(String name, long fallback) {
        String value = string(name, null);
        return value == null ? fallback : Long.parseLong(value.replace("_", ""));
    }

    /** {@code --name k1=v1,k2=v2} as a map; empty when the option is absent. */
    Map<String, String> keyValues(String name) {
        Map<String, String> map = new LinkedHashMap<>();
        String value = string(name, "");
        for (String pair : value.isEmpty() ? new String[0] : value.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isEmpty()) {
                throw new IllegalArgumentException("--" + name + " takes key=value,...: " + value);
            }
            map.put(kv[0], kv[1]);
        }
        return map;
    }

    double decimal(String name, double fallback) {
        String value = string(name, null);
        return value == null ? fallback : Double.parseDouble(value);
    }

    void requireAllRead() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + unknown);
        }
    }
}
