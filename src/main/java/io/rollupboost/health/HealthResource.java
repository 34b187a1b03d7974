package io.rollupboost.health;

import io.rollupboost.engine.BuilderQualityBreaker;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.UpstreamId;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health endpoints on the application connector, where op-conductor looks ({@code --execution.rpc}
 * + {@code /healthz}). Everything is read from the board: no I/O.
 */
@Path("/")
public final class HealthResource {
  private final HealthBoard board;
  private final ExecutionModeHolder modes;
  private final Clock clock;
  private final EngineMetrics metrics;
  private final BuilderQualityBreaker breaker;

  public HealthResource(
      HealthBoard board,
      ExecutionModeHolder modes,
      Clock clock,
      EngineMetrics metrics,
      BuilderQualityBreaker breaker) {
    this.breaker = breaker;
    this.board = board;
    this.modes = modes;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** op-conductor's JSON mode ({@code rollup_boost_health}) plus everything an on-call needs. */
  @GET
  @Path("healthz/details")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> details() {
    HealthStatus status = board.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rollup_boost_health", status.conductorName());
    out.put("status", status.httpCode());
    out.put("since", board.statusSince().toString());
    out.put("execution_mode", modes.get().wire());
    out.put(
        "builder_bypassed",
        modes.get() == io.rollupboost.engine.ExecutionMode.DISABLED || !board.builderUsable());
    out.put("first_probe_done", board.probed());
    Map<String, Object> components = new LinkedHashMap<>();
    long nowMillis = clock.millis();
    for (UpstreamId id : UpstreamId.values()) {
      ComponentStatus s = board.component(id);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
      c.put("since", s.since().toString());
      c.put("head_number", s.headNumber());
      c.put("head_hash", s.headHash());
      c.put(
          "head_age_seconds",
          s.headTimestamp() < 0
              ? null
              : Math.max(0, nowMillis - s.headTimestamp() * 1000) / 1000.0);
      c.put("last_error", s.lastError());
      c.put("last_latency_ms", s.lastLatencyMillis());
      c.put("last_observed", s.lastObserved() == null ? null : s.lastObserved().toString());
      c.put("consecutive_failures", s.failures());
      c.put("consecutive_successes", s.successes());
      components.put(id.label(), c);
    }
    out.put("components", components);
    out.put("builder_quality", breaker.snapshot());
    out.put("fallbacks", metrics.fallbackSnapshot());
    return out;
  }

  @GET
  @Path("readyz")
  @Produces(MediaType.TEXT_PLAIN)
  public String readyz() {
    return "OK";
  }

  @GET
  @Path("livez")
  @Produces(MediaType.TEXT_PLAIN)
  public String livez() {
    return "OK";
  }
}
