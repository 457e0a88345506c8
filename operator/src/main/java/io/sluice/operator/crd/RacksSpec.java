package io.sluice.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Failure domains: brokers spread over the values of a node label, which becomes their rack. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RacksSpec {
    public static final String DEFAULT_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

    @JsonPropertyDescription("Node label whose values are the racks.")
    @Default(DEFAULT_TOPOLOGY_KEY)
    private String topologyKey = DEFAULT_TOPOLOGY_KEY;

    public String getTopologyKey() { return topologyKey; }
    public void setTopologyKey(String topologyKey) { this.topologyKey = topologyKey; }
}
