package io.rollupboost;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.rollupboost.config.AdminFactory;
import io.rollupboost.config.ProbeFactory;
import io.rollupboost.config.RpcFactory;
import io.rollupboost.config.SelectionFactory;
import io.rollupboost.config.UpstreamFactory;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.rpc.FrontDoorServerFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** Root configuration: the keys of DESIGN.md section 4, each a validated factory. */
public final class RollupBoostConfiguration extends Configuration {
  @Valid @NotNull private UpstreamFactory l2;
  @Valid @NotNull private UpstreamFactory builder;
  @NotNull private ExecutionMode executionMode = ExecutionMode.ENABLED;
  @Valid @NotNull private ProbeFactory probe = ProbeFactory.defaults();
  @Valid @NotNull private RpcFactory rpc = RpcFactory.defaults();
  @Valid @NotNull private AdminFactory admin = AdminFactory.defaults();
  @Valid @NotNull private SelectionFactory selection = SelectionFactory.defaults();

  /**
   * A {@code server:} block without a {@code type} is Dropwizard's default server with the front
   * door's thread pool; {@code type: default} or {@code simple} still build Dropwizard's own.
   */
  @Override
  @JsonProperty("server")
  @JsonTypeInfo(
      use = JsonTypeInfo.Id.NAME,
      property = "type",
      defaultImpl = FrontDoorServerFactory.class)
  public void setServerFactory(ServerFactory factory) {
    super.setServerFactory(factory);
  }

  @JsonProperty
  public SelectionFactory getSelection() {
    return selection;
  }

  @JsonProperty
  public void setSelection(SelectionFactory selection) {
    this.selection = selection;
  }

  /** Without a {@code server:} block both connectors bind to loopback, not all interfaces. */
  public RollupBoostConfiguration() {
    DefaultServerFactory server = new FrontDoorServerFactory();
    HttpConnectorFactory application = (HttpConnectorFactory) HttpConnectorFactory.application();
    application.setBindHost("127.0.0.1");
    application.setPort(8081);
    HttpConnectorFactory adminConnector = (HttpConnectorFactory) HttpConnectorFactory.admin();
    adminConnector.setBindHost("127.0.0.1");
    adminConnector.setPort(8082);
    server.setApplicationConnectors(List.of(application));
    server.setAdminConnectors(List.of(adminConnector));
    setServerFactory(server);
  }

  @JsonProperty
  public AdminFactory getAdmin() {
    return admin;
  }

  @JsonProperty
  public void setAdmin(AdminFactory admin) {
    this.admin = admin;
  }

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
