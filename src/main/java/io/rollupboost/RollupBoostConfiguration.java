package io.rollupboost;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.rollupboost.config.ProbeFactory;
import io.rollupboost.config.RpcFactory;
import io.rollupboost.config.UpstreamFactory;
import io.rollupboost.engine.ExecutionMode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** Root configuration: the keys of DESIGN.md section 4, each a validated factory. */
public final class RollupBoostConfiguration extends Configuration {
  @Valid @NotNull private UpstreamFactory l2;
  @Valid @NotNull private UpstreamFactory builder;
  @NotNull private ExecutionMode executionMode = ExecutionMode.ENABLED;
  @Valid @NotNull private ProbeFactory probe = ProbeFactory.defaults();
  @Valid @NotNull private RpcFactory rpc = RpcFactory.defaults();

  @JsonProperty
  public UpstreamFactory getL2() {
    return l2;
  }

  @JsonProperty
  public void setL2(UpstreamFactory l2) {
    this.l2 = l2;
  }

  @JsonProperty
  public UpstreamFactory getBuilder() {
    return builder;
  }

  @JsonProperty
  public void setBuilder(UpstreamFactory builder) {
    this.builder = builder;
  }

  @JsonProperty
  public ExecutionMode getExecutionMode() {
    return executionMode;
  }

  @JsonProperty
  public void setExecutionMode(ExecutionMode executionMode) {
    this.executionMode = executionMode;
  }

  @JsonProperty
  public ProbeFactory getProbe() {
    return probe;
  }

  @JsonProperty
  public void setProbe(ProbeFactory probe) {
    this.probe = probe;
  }

  @JsonProperty
  public RpcFactory getRpc() {
    return rpc;
  }

  @JsonProperty
  public void setRpc(RpcFactory rpc) {
    this.rpc = rpc;
  }
}
