package io.rollupboost.engine;

import io.dropwizard.core.setup.Environment;
import io.rollupboost.config.ProbeFactory;
import io.rollupboost.config.UpstreamFactory;
import io.rollupboost.health.HealthBoard;
import io.rollupboost.health.HealthProbe;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamId;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** Builds the multiplexer with its upstream clients and managed executors. */
public final class EngineMultiplexerFactory {
  /** Payload ids remembered; op-node keeps at most a few builds in flight. */
  static final int PAYLOAD_ID_CAPACITY = 1024;

  /** A build older than this is abandoned; getPayload normally follows within a block time. */
  static final Duration PAYLOAD_ID_TTL = Duration.ofMinutes(5);

  private final UpstreamFactory l2Config;
  private final UpstreamFactory builderConfig;
  private HttpEngineClient l2;
  private HttpEngineClient builder;

  public EngineMultiplexerFactory(UpstreamFactory l2Config, UpstreamFactory builderConfig) {
    this.l2Config = l2Config;
    this.builderConfig = builderConfig;
  }

  public EngineMultiplexer build(
      Environment environment,
      Clock clock,
      ExecutionModeHolder modes,
      EngineMetrics metrics,
      EngineEvents events,
      PayloadSelector selector,
      BuilderQualityBreaker breaker) {
    l2 = l2Config.build(environment, UpstreamId.L2, clock, metrics);
    builder = builderConfig.build(environment, UpstreamId.BUILDER, clock, metrics);
    // No threads of its own: every upstream call is asynchronous on the clients' fixed pools, so
    // an incident (a hanging builder) is never the moment the service starts creating threads.
    return new EngineMultiplexer(
        l2,
        builder,
        new BuilderLane(builder, builderConfig.syncQueueSize(), metrics),
        modes,
        new PayloadIdMap(PAYLOAD_ID_CAPACITY, PAYLOAD_ID_TTL, clock),
        selector,
        breaker,
        events,
        metrics,
        builderConfig.payloadDeadlineJava());
  }

  /** The background probe over the same upstream clients; call after {@link #build}. */
  public HealthProbe probe(
      Environment environment,
      ProbeFactory probe,
      HealthBoard board,
      Clock clock,
      EngineMetrics metrics) {
    ScheduledExecutorService scheduler =
        environment.lifecycle().scheduledExecutorService("health-probe").threads(1).build();
    ExecutorService parallel =
        environment
            .lifecycle()
            .executorService("health-probe-parallel")
            .minThreads(1)
            .maxThreads(1)
            .build();
    return new HealthProbe(
        l2,
        builder,
        board,
        clock,
        metrics,
        scheduler,
        parallel,
        probe.intervalJava(),
        probe.timeoutJava(),
        probe.maxUnsafeIntervalJava(),
        probe.maxBuilderLag());
  }
}
