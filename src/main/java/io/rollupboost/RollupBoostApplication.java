package io.rollupboost;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.rollupboost.admin.AdminWiring;
import io.rollupboost.admin.BuilderBreakerTask;
import io.rollupboost.auth.CredentialLogFilter;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.cli.CheckConfigCommand;
import io.rollupboost.cli.ExecutionModeCommand;
import io.rollupboost.cli.HaCommand;
import io.rollupboost.cli.SuppressForbidden;
import io.rollupboost.engine.BuilderQualityBreaker;
import io.rollupboost.engine.EngineMultiplexer;
import io.rollupboost.engine.EngineMultiplexerFactory;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.health.ComponentHealthCheck;
import io.rollupboost.health.HealthBoard;
import io.rollupboost.health.HealthResource;
import io.rollupboost.health.HealthzFilter;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.metrics.PrometheusExport;
import io.rollupboost.rpc.FrontDoorRouting;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.JsonRpcErrorHandler;
import io.rollupboost.rpc.JsonRpcHandler;
import io.rollupboost.upstream.UpstreamId;
import java.time.Clock;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** rollup-boost: the Engine API multiplexer between op-node, its L2 client and a builder. */
public final class RollupBoostApplication extends Application<RollupBoostConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(RollupBoostApplication.class);

  private String[] arguments = new String[0];

  public static void main(String[] args) throws Exception {
    new RollupBoostApplication().run(args);
  }

  @Override
  public void run(String... args) throws Exception {
    arguments = args.clone();
    super.run(args);
  }

  /** Scripts act on {@code ha}'s exit code, so its usage errors must not look like a verdict. */
  static int fatalExitCode(String[] args) {
    return args.length > 0 && "ha".equals(args[0]) ? HaCommand.USAGE_ERROR : 1;
  }

  @Override
  @SuppressForbidden(reason = "the exit code is the CLI's contract")
  protected void onFatalError(Throwable t) {
    System.exit(fatalExitCode(arguments));
  }

  @Override
  protected void addDefaultCommands(Bootstrap<RollupBoostConfiguration> bootstrap) {
    bootstrap.addCommand(new ServerCommand<>(this));
    bootstrap.addCommand(new CheckConfigCommand<>(this));
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
    bootstrap.addCommand(new ExecutionModeCommand());
    bootstrap.addCommand(new HaCommand());
  }

  @Override
  public void run(RollupBoostConfiguration config, Environment environment) {
    CredentialLogFilter.install();
    GracefulTermination.install();
    if (config.getServerFactory() instanceof AbstractServerFactory server
        && server.getGzipFilterFactory().isEnabled()) {
      LOG.warn(
          "server.gzip is enabled: op-node asks for gzip, and compressing each getPayload answer"
              + " adds milliseconds per block; set server.gzip.enabled: false");
    }
    Clock clock = Clock.systemUTC();
    EngineMetrics metrics = new EngineMetrics();
    ExecutionModeHolder modes =
        AdminWiring.restoreMode(config.getAdmin(), config.getExecutionMode());
    metrics.executionMode(() -> modes.get().gaugeValue());
    HealthBoard board =
        new HealthBoard(
            clock,
            modes,
            metrics,
            config.getProbe().failureThreshold(),
            config.getProbe().successThreshold());

    EngineMultiplexerFactory engines =
        new EngineMultiplexerFactory(config.getL2(), config.getBuilder());
    BuilderQualityBreaker breaker = config.getSelection().breaker(metrics, clock);
    board.follow(breaker);
    EngineMultiplexer multiplexer =
        engines.build(
            environment, clock, modes, metrics, board, config.getSelection().selector(), breaker);
    environment
        .lifecycle()
        .manage(engines.probe(environment, config.getProbe(), board, clock, metrics));

    JsonRpcCodec codec = new JsonRpcCodec(config.getRpc().maxBatchSize());
    EngineJwt inboundJwt = config.getRpc().inboundJwt(clock);
    long maxRequestBytes = config.getRpc().maxRequestSize().toBytes();
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStarting(LifeCycle event) {
                Server server = (Server) event;
                FrontDoorRouting.install(
                    server,
                    new JsonRpcHandler(
                        codec,
                        multiplexer,
                        inboundJwt,
                        maxRequestBytes,
                        metrics,
                        server.getThreadPool()),
                    environment.getApplicationContext().getContextPath());
              }
            });
    environment.jersey().register(new HealthResource(board, modes, clock, metrics, breaker));
    environment
        .servlets()
        .addFilter("healthz", new HealthzFilter(board))
        .addMappingForUrlPatterns(null, false, "/healthz");
    environment
        .lifecycle()
        .addServerLifecycleListener(server -> server.setErrorHandler(new JsonRpcErrorHandler()));
    for (UpstreamId id : UpstreamId.values()) {
      environment.healthChecks().register(id.label(), new ComponentHealthCheck(board, id));
    }
    AdminWiring.register(environment, config, modes);
    environment.admin().addTask(new BuilderBreakerTask(breaker));
    PrometheusExport.register(environment, metrics);
  }
}
