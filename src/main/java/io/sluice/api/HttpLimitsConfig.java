package io.sluice.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code sluice.http.*}: the request limits {@link HttpLimits} enforces (docs/configuration.md). */
@ConfigMapping(prefix = "sluice.http")
public interface HttpLimitsConfig {
    /** Longest request URI (path and query) answered; longer ones get 414. */
    @WithDefault("8K")
    MemorySize maxUriLength();

    /** Most bytes of request headers answered; more get 431. */
    @WithDefault("16K")
    MemorySize maxHeaderSize();

    /** Time a request body has to arrive in full once its headers have; a slower one gets 408 and is closed. */
    @WithDefault("30s")
    Duration bodyTimeout();
}
