package io.rollupboost.health;

import io.rollupboost.engine.BuilderOutcome;
import io.rollupboost.engine.BuilderQualityBreaker;
import io.rollupboost.engine.EngineEvents;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.health.ComponentStatus.State;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.UpstreamId;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single source of truth for "is X usable": per-component state fed by the background probe, by
 * block production and by builder sync answers, with flap control, plus the composite status that
 * {@code /healthz} serves. Reads are lock-free; nothing here does I/O.
 */
public final class HealthBoard implements EngineEvents {
  private static final Logger LOG = LoggerFactory.getLogger(HealthBoard.class);

  private final Clock clock;
  private final ExecutionModeHolder modes;
  private final EngineMetrics metrics;
  private final int failureThreshold;
  private final int successThreshold;
  private final Map<UpstreamId, ComponentStatus> components = new EnumMap<>(UpstreamId.class);

  /** When each component's latest success was recorded (System.nanoTime), under this lock. */
  private final Map<UpstreamId, Long> lastSuccessNanos = new EnumMap<>(UpstreamId.class);

  private volatile ComponentStatus l2;
  private volatile ComponentStatus builder;
  private volatile boolean probed;
  private volatile BooleanSupplier builderDegraded = () -> false;
  private volatile HealthStatus status = HealthStatus.SERVICE_UNAVAILABLE;
  private volatile Instant statusSince;

  /**
   * @param failureThreshold consecutive failed observations that make a healthy component unhealthy
   * @param successThreshold consecutive successful observations that make it healthy again
   */
  public HealthBoard(
      Clock clock,
      ExecutionModeHolder modes,
      EngineMetrics metrics,
      int failureThreshold,
      int successThreshold) {
    this.clock = clock;
    this.modes = modes;
    this.metrics = metrics;
    this.failureThreshold = failureThreshold;
    this.successThreshold = successThreshold;
    Instant now = clock.instant();
    l2 = ComponentStatus.initial(now);
    builder = ComponentStatus.initial(now);
    statusSince = now;
    components.put(UpstreamId.L2, l2);
    components.put(UpstreamId.BUILDER, builder);
    modes.onChange(mode -> recompute("execution mode " + mode));
    metrics.healthStatus(() -> status.gaugeValue());
  }

  /** A probe or production result with head information (probe) or without (null head). */
  public record Head(long number, String hash, long timestamp) {}

  public HealthStatus status() {
    return status;
  }

  public Instant statusSince() {
    return statusSince;
  }

  public ComponentStatus component(UpstreamId id) {
    return id == UpstreamId.L2 ? l2 : builder;
  }

  public boolean probed() {
    return probed;
  }

  /** Records one piece of evidence about a component, from an attempt that ends now. */
  public void observe(UpstreamId id, boolean ok, String error, Head head, long latencyMillis) {
    observe(id, ok, error, head, latencyMillis, System.nanoTime());
  }

  /**
   * Records one piece of evidence from an attempt that began at {@code startedNanos} ({@link
   * System#nanoTime}). A failure is dropped when a success was recorded after the attempt began:
   * the component worked since, so a probe call that timed out across its recovery says nothing
   * about it now (it used to turn /healthz 206 for an instant after a recovered builder).
   */
  public void observe(
      UpstreamId id, boolean ok, String error, Head head, long latencyMillis, long startedNanos) {
    String transition;
    synchronized (this) {
      Long succeeded = lastSuccessNanos.get(id);
      if (!ok && succeeded != null && succeeded - startedNanos > 0) {
        LOG.debug("{}: outdated failure ignored, it worked since: {}", id.label(), error);
        return;
      }
      if (ok) {
        lastSuccessNanos.put(id, System.nanoTime());
      }
      ComponentStatus old = components.get(id);
      int failures = ok ? 0 : old.failures() + 1;
      int successes = ok ? old.successes() + 1 : 0;
      State next = old.state();
      if (old.state() == State.UNKNOWN) {
        next = ok ? State.HEALTHY : State.UNHEALTHY;
      } else if (ok && old.state() == State.UNHEALTHY && successes >= successThreshold) {
        next = State.HEALTHY;
      } else if (!ok && old.state() == State.HEALTHY && failures >= failureThreshold) {
        next = State.UNHEALTHY;
      }
      Instant now = clock.instant();
      ComponentStatus updated =
          new ComponentStatus(
              next,
              next == old.state() ? old.since() : now,
              head == null ? old.headNumber() : head.number(),
              head == null ? old.headHash() : head.hash(),
              head == null ? old.headTimestamp() : head.timestamp(),
              ok ? null : error,
              latencyMillis >= 0 ? latencyMillis : old.lastLatencyMillis(),
              now,
              failures,
              successes);
      components.put(id, updated);
      if (id == UpstreamId.L2) {
        l2 = updated;
      } else {
        builder = updated;
      }
      transition = next == old.state() ? null : old.state() + "->" + next;
      if (transition != null) {
        metrics.healthTransition(id.label(), lower(old.state()), lower(next));
      }
    }
    if (transition != null) {
      if (component(id).state() == State.UNHEALTHY) {
        LOG.warn("{} became unhealthy: {}", id.label(), error);
      } else {
        LOG.info("{} is healthy ({})", id.label(), transition);
      }
    }
    recompute(id.label() + (ok ? " ok" : " failed: " + error));
  }

  /**
   * Follows the quality breaker: a degraded builder makes the node 206. Its state is read from the
   * breaker at each computation, not copied from its notifications: those run outside its lock, so
   * a reset racing a degradation could deliver them out of order and leave a stale copy.
   */
  public void follow(BuilderQualityBreaker breaker) {
    builderDegraded = breaker::degraded;
    breaker.onChange(
        degraded ->
            recompute(
                degraded ? "builder degraded by the quality breaker" : "builder trusted again"));
  }

  /** The probe finished a round: from now on the status reflects real observations. */
  public void roundCompleted() {
    if (!probed) {
      probed = true;
      recompute("first probe round");
    }
  }

  /** The composite of DESIGN.md section 6 for the current board and mode. */
  HealthStatus compute() {
    if (!probed || l2.state() != State.HEALTHY) {
      return HealthStatus.SERVICE_UNAVAILABLE;
    }
    if (modes.get() == ExecutionMode.DISABLED
        || (builder.state() == State.HEALTHY && !builderDegraded.getAsBoolean())) {
      return HealthStatus.HEALTHY;
    }
    return HealthStatus.PARTIAL_CONTENT;
  }

  private void recompute(String cause) {
    HealthStatus next;
    HealthStatus old;
    synchronized (this) {
      next = compute();
      old = status;
      if (next == old) {
        return;
      }
      status = next;
      statusSince = clock.instant();
    }
    metrics.healthTransition("node", lower(old), lower(next));
    LOG.warn("health {} -> {} ({})", old.httpCode(), next.httpCode(), cause);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  // ---- evidence from block production (EngineEvents) -----------------------------------------

  @Override
  public boolean builderUsable() {
    return builder.state() != State.UNHEALTHY;
  }

  @Override
  public void payloadProduced(boolean l2Delivered, BuilderOutcome outcome) {
    if (!l2Delivered) {
      observe(UpstreamId.L2, false, "failed to deliver a payload", null, -1);
    }
    if (outcome.delivered()) {
      observe(UpstreamId.BUILDER, true, null, null, -1);
    } else if (outcome.kind().builderAtFault()) {
      observe(
          UpstreamId.BUILDER,
          false,
          "failed to deliver a payload: " + outcome.kind().reason() + " (" + outcome.detail() + ")",
          null,
          -1);
    }
  }

  @Override
  public void builderSyncValid() {
    observe(UpstreamId.BUILDER, true, null, null, -1);
  }

  @Override
  public void l2CallFailed(String method, String detail) {
    observe(UpstreamId.L2, false, method + ": " + detail, null, -1);
  }
}
