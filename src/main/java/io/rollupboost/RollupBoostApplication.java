package io.rollupboost;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.rollupboost.admin.DebugServlet;
import io.rollupboost.admin.ExecutionModeTask;
import io.rollupboost.engine.EngineMultiplexer;
import io.rollupboost.engine.EngineMultiplexerFactory;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.metrics.PrometheusExport;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.JsonRpcErrorHandler;
import io.rollupboost.rpc.JsonRpcResource;
import java.time.Clock;

/** rollup-boost: the Engine API multiplexer between op-node, its L2 client and a builder. */
public final class RollupBoostApplication extends Application<RollupBoostConfiguration> {

  public static void main(String[] args) throws Exception {
    new RollupBoostApplication().run(args);
  }

  @Override
  public String getName() {
    return "rollup-boost";
  }

  @Override
  public void initialize(Bootstrap<RollupBoostConfiguration> bootstrap) {
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
  }

  @Override
  public void run(RollupBoostConfiguration config, Environment environment) {
    Clock clock = Clock.systemUTC();
    EngineMetrics metrics = new EngineMetrics();
    ExecutionModeHolder modes = new ExecutionModeHolder(config.getExecutionMode());
    metrics.executionMode(() -> modes.get().gaugeValue());

    EngineMultiplexer multiplexer =
        new EngineMultiplexerFactory(config.getL2(), config.getBuilder())
            .build(environment, clock, modes, metrics);

    environment
        .jersey()
        .register(
            new JsonRpcResource(
                new JsonRpcCodec(config.getRpc().maxBatchSize()),
                multiplexer,
                config.getRpc().inboundJwt(clock),
                config.getRpc().maxRequestSize().toBytes(),
                metrics));
    environment
        .lifecycle()
        .addServerLifecycleListener(server -> server.setErrorHandler(new JsonRpcErrorHandler()));
    environment.admin().addTask(new ExecutionModeTask(modes));
    environment.admin().addServlet("debug", new DebugServlet(modes)).addMapping("/debug");
    PrometheusExport.register(environment, metrics);
  }
}
