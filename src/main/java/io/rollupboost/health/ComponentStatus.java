package io.rollupboost.health;

import java.time.Instant;

/**
 * What the board knows about one upstream.
 *
 * @param state the flap-controlled verdict
 * @param since when {@code state} last changed
 * @param headNumber latest block number seen by the probe, or -1
 * @param headHash latest block hash seen by the probe, or null
 * @param headTimestamp latest block's timestamp (seconds), or -1
 * @param lastError the most recent failure, or null when the last observation succeeded
 * @param lastLatencyMillis latency of the last probe call, or -1
 * @param lastObserved when evidence last arrived
 * @param failures consecutive failed observations
 * @param successes consecutive successful observations
 */
public record ComponentStatus(
    State state,
    Instant since,
    long headNumber,
    String headHash,
    long headTimestamp,
    String lastError,
    long lastLatencyMillis,
    Instant lastObserved,
    int failures,
    int successes) {

  /** Health of one component. */
  public enum State {
    UNKNOWN,
    HEALTHY,
    UNHEALTHY
  }

  static ComponentStatus initial(Instant now) {
    return new ComponentStatus(State.UNKNOWN, now, -1, null, -1, null, -1, null, 0, 0);
  }
}
