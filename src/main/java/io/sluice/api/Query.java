package io.sluice.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A parsed URL query string; a parameter may repeat ({@code topic=a&topic=b}). */
final class Query {
    private final Map<String, List<String>> params = new LinkedHashMap<>();

    static Query parse(String raw) {
        Query q = new Query();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            q.params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return q;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProduceRequestParser.invalid("malformed query string near '" + Params.abbreviate(s) + "'");
        }
    }

    String first(String name) {
        List<String> values = params.get(name);
        return values == null ? null : values.get(0);
    }

    List<String> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** The parameter names, in the order they first appear. */
    Set<String> names() {
        return params.keySet();
    }
}
