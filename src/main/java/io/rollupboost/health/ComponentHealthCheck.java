package io.rollupboost.health;

import com.codahale.metrics.health.HealthCheck;
import io.rollupboost.upstream.UpstreamId;

/** Dropwizard's {@code /healthcheck} view of one board component; reads the board only. */
public final class ComponentHealthCheck extends HealthCheck {
  private final HealthBoard board;
  private final UpstreamId id;

  public ComponentHealthCheck(HealthBoard board, UpstreamId id) {
    this.board = board;
    this.id = id;
  }

  @Override
  protected Result check() {
    ComponentStatus s = board.component(id);
    ResultBuilder result =
        s.state() == ComponentStatus.State.HEALTHY
            ? Result.builder().healthy()
            : Result.builder().unhealthy();
    return result
        .withMessage(s.lastError() == null ? s.state().name() : s.lastError())
        .withDetail("state", s.state().name())
        .withDetail("since", s.since().toString())
        .withDetail("headNumber", s.headNumber())
        .withDetail("lastLatencyMillis", s.lastLatencyMillis())
        .build();
  }
}
