package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** The custom partitioners a broker knows, by name: those on the class path and those registered. */
public final class Partitioners {
    private final Map<String, Partitioner> byName = new ConcurrentHashMap<>();

    public Partitioners() {
        for (Partitioner p : ServiceLoader.load(Partitioner.class)) {
            register(p);
        }
    }

    public void register(Partitioner partitioner) {
        byName.put(partitioner.name(), partitioner);
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public Partitioner require(String name) {
        Partitioner p = byName.get(name);
        if (p == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_PARTITIONER, "no partitioner named '" + name
                    + "'; known: " + byName.keySet());
        }
        return p;
    }
}
