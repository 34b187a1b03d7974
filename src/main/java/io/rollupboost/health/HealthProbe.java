package io.rollupboost.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.lifecycle.Managed;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import io.rollupboost.upstream.UpstreamReply;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that does health I/O: every {@code probe.interval} it asks both upstreams for
 * {@code eth_getBlockByNumber("latest", false)} in parallel and records on the board whether each
 * is reachable, fresh against wall clock, and (for the builder) close enough to L2's head.
 */
public final class HealthProbe implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);
  private static final RawJson LATEST = RawJson.of("[\"latest\",false]");

  private final HttpEngineClient l2;
  private final HttpEngineClient builder;
  private final HealthBoard board;
  private final Clock clock;
  private final EngineMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService parallel;
  private final Duration interval;
  private final Duration timeout;
  private final Duration maxUnsafeInterval;
  private final long maxBuilderLag;
  private ScheduledFuture<?> task;

  public HealthProbe(
      HttpEngineClient l2,
      HttpEngineClient builder,
      HealthBoard board,
      Clock clock,
      EngineMetrics metrics,
      ScheduledExecutorService scheduler,
      ExecutorService parallel,
      Duration interval,
      Duration timeout,
      Duration maxUnsafeInterval,
      long maxBuilderLag) {
    this.l2 = l2;
    this.builder = builder;
    this.board = board;
    this.clock = clock;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.parallel = parallel;
    this.interval = interval;
    this.timeout = timeout;
    this.maxUnsafeInterval = maxUnsafeInterval;
    this.maxBuilderLag = maxBuilderLag;
  }

  @Override
  public void start() {
    task =
        scheduler.scheduleAtFixedRate(
            this::probeSafely, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void probeSafely() {
    try {
      probeOnce();
    } catch (RuntimeException e) {
      // A thrown exception would silently end a fixed-rate schedule; never let it.
      LOG.error("health probe round failed", e);
    }
  }

  /** The latest block of one upstream, or why it could not be read. */
  record Sample(HealthBoard.Head head, String error, long latencyMillis, long startedNanos) {}

  /** One probe round: both upstreams in parallel, then a verdict for each. */
  public void probeOnce() {
    CompletableFuture<Sample> builderSample =
        CompletableFuture.supplyAsync(() -> sample(builder), parallel);
    Sample l2Sample = sample(l2);
    Sample b = builderSample.join();
    long nowMillis = clock.millis();

    String l2Problem = l2Sample.error() != null ? l2Sample.error() : staleness(l2Sample, nowMillis);
    board.observe(
        UpstreamId.L2,
        l2Problem == null,
        l2Problem,
        l2Sample.head(),
        l2Sample.latencyMillis(),
        evidenceStart(l2Sample));

    String builderProblem = b.error() != null ? b.error() : staleness(b, nowMillis);
    if (builderProblem == null && l2Sample.head() != null) {
      long behind = l2Sample.head().number() - b.head().number();
      if (behind > maxBuilderLag) {
        builderProblem =
            "builder head "
                + b.head().number()
                + " is "
                + behind
                + " blocks behind l2 (max "
                + maxBuilderLag
                + ")";
      }
    }
    board.observe(
        UpstreamId.BUILDER,
        builderProblem == null,
        builderProblem,
        b.head(),
        b.latencyMillis(),
        evidenceStart(b));
    board.roundCompleted();
  }

  /**
   * When the evidence began: a call that failed (a timeout can span the upstream's recovery) dates
   * from the call's start; a verdict on a block that arrived (stale, lagging) is as of now.
   */
  private static long evidenceStart(Sample sample) {
    return sample.error() != null ? sample.startedNanos() : System.nanoTime();
  }

  private String staleness(Sample sample, long nowMillis) {
    double age = ageSeconds(sample.head(), nowMillis);
    if (age * 1000 > maxUnsafeInterval.toMillis()) {
      return String.format(
          java.util.Locale.ROOT,
          "head %d is %.1f s old (max %d s)",
          sample.head().number(),
          age,
          maxUnsafeInterval.toSeconds());
    }
    return null;
  }

  /** Wall-clock age, computed afresh each round from millisecond time (no drift, no truncation). */
  private static double ageSeconds(HealthBoard.Head head, long nowMillis) {
    return Math.max(0, nowMillis - head.timestamp() * 1000) / 1000.0;
  }

  private Sample sample(HttpEngineClient client) {
    long start = System.nanoTime();
    try {
      UpstreamReply reply = client.call("eth_getBlockByNumber", LATEST, timeout.toNanos());
      long latency = (System.nanoTime() - start) / 1_000_000;
      if (reply.isError()) {
        return new Sample(
            null, "eth_getBlockByNumber error " + reply.errorSummary(), latency, start);
      }
      JsonNode block = JsonRpcCodec.MAPPER.readTree(reply.result().bytes());
      if (block == null || !block.isObject()) {
        return new Sample(null, "no latest block", latency, start);
      }
      HealthBoard.Head head =
          new HealthBoard.Head(
              Long.decode(block.path("number").asText("-1")),
              block.path("hash").asText(null),
              Long.decode(block.path("timestamp").asText("-1")));
      metrics.head(client.id(), ageSeconds(head, clock.millis()), head.number(), head.timestamp());
      return new Sample(head, null, latency, start);
    } catch (UpstreamException e) {
      return new Sample(null, e.getMessage(), (System.nanoTime() - start) / 1_000_000, start);
    } catch (IOException | NumberFormatException e) {
      return new Sample(
          null,
          "unreadable latest block: " + e.getMessage(),
          (System.nanoTime() - start) / 1_000_000,
          start);
    }
  }
}
