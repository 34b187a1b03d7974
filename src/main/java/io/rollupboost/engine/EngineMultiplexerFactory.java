package io.rollupboost.engine;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.ExecutorServiceManager;
import io.rollupboost.config.ProbeFactory;
import io.rollupboost.config.UpstreamFactory;
import io.rollupboost.health.HealthBoard;
import io.rollupboost.health.HealthProbe;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamId;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the multiplexer with its upstream clients and managed executors. */
public final class EngineMultiplexerFactory {
  /** Payload ids remembered; op-node keeps at most a few builds in flight. */
  static final int PAYLOAD_ID_CAPACITY = 1024;

  /** A build older than this is abandoned; getPayload normally follows within a block time. */
  static final Duration PAYLOAD_ID_TTL = Duration.ofMinutes(5);

  /** Threads for builder getPayload paths and mirrored calls; each call is bounded. */
  static final int FANOUT_THREADS = 8;

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
    // Fixed and started up front: an incident (a hanging builder) must not be the moment the
    // service starts creating threads, and thread counts stay flat for leak checks.
    ThreadPoolExecutor fanout =
        new ThreadPoolExecutor(
            FANOUT_THREADS,
            FANOUT_THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(256),
            daemonThreads("engine-fanout"));
    fanout.prestartAllCoreThreads();
    environment
        .lifecycle()
        .manage(
            new ExecutorServiceManager(
                fanout, io.dropwizard.util.Duration.seconds(2), "engine-fanout"));
    ThreadPoolExecutor laneWorker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(builderConfig.syncQueueSize()),
            daemonThreads("builder-sync"),
            BuilderLane.dropOldest(metrics));
    environment
        .lifecycle()
        .manage(
            new ExecutorServiceManager(
                laneWorker, io.dropwizard.util.Duration.seconds(2), "builder-sync"));
    return new EngineMultiplexer(
        l2,
        builder,
        new BuilderLane(builder, laneWorker, metrics),
        fanout,
        modes,
        new PayloadIdMap(PAYLOAD_ID_CAPACITY, PAYLOAD_ID_TTL, clock),
        selector,
        breaker,
        events,
        metrics,
        builderConfig.payloadDeadlineJava());
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
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
