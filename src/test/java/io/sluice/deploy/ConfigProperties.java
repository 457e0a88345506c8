package io.sluice.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.sluice.config.SluiceConfig;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every {@code sluice.*} property the broker reads, derived from {@link SluiceConfig} the way
 * SmallRye Config maps it (a method is a kebab-case property, a nested interface a dotted prefix),
 * with its default, and how an environment variable names it: SmallRye matches {@code SLUICE_X_Y}
 * to the known property whose name upper-cased, with every non-alphanumeric as {@code _}, is
 * {@code SLUICE_X_Y}, so {@code -} and {@code .} are told apart by the property set alone.
 */
final class ConfigProperties {
    /** Property name → its {@code @WithDefault}, or null when it has none (optional or required). */
    private final Map<String, String> defaults;
    private final Map<String, String> byEnvName;

    private ConfigProperties(Map<String, String> defaults) {
        this.defaults = Collections.unmodifiableMap(defaults);
        Map<String, String> env = new TreeMap<>();
        defaults.keySet().forEach(p -> env.put(envName(p), p));
        this.byEnvName = Collections.unmodifiableMap(env);
    }

    static ConfigProperties of(Class<?> mapping) {
        ConfigMapping root = mapping.getAnnotation(ConfigMapping.class);
        if (root == null) {
            throw new IllegalArgumentException(mapping + " is not a @ConfigMapping");
        }
        Map<String, String> defaults = new TreeMap<>();
        collect(mapping, root.prefix(), defaults);
        return new ConfigProperties(defaults);
    }

    static ConfigProperties sluice() {
        return of(SluiceConfig.class);
    }

    private static void collect(Class<?> group, String prefix, Map<String, String> into) {
        for (Method m : group.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            String name = prefix + "." + kebab(m.getName());
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() != null && type != Optional.class) {
                collect(type, name, into);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                into.put(name, d == null ? null : d.value());
            }
        }
    }

    static String kebab(String camel) {
        StringBuilder out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The environment variable SmallRye reads for a property ({@code sluice.cluster.bind-address} → {@code SLUICE_CLUSTER_BIND_ADDRESS}). */
    static String envName(String property) {
        return property.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    /** The property an environment variable sets, if it names one. */
    Optional<String> propertyOfEnv(String envName) {
        return Optional.ofNullable(byEnvName.get(envName));
    }

    boolean contains(String property) {
        return defaults.containsKey(property);
    }

    /** The {@code @WithDefault} of a property that has one. */
    String defaultOf(String property) {
        String value = defaults.get(property);
        if (value == null) {
            throw new IllegalArgumentException("no default for " + property + " (known: " + defaults.containsKey(property) + ")");
        }
        return value;
    }

    Map<String, String> all() {
        return defaults;
    }
}
