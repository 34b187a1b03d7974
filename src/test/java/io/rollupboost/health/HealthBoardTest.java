package io.rollupboost.health;

import static io.rollupboost.health.HealthStatus.HEALTHY;
import static io.rollupboost.health.HealthStatus.PARTIAL_CONTENT;
import static io.rollupboost.health.HealthStatus.SERVICE_UNAVAILABLE;
import static io.rollupboost.upstream.UpstreamId.BUILDER;
import static io.rollupboost.upstream.UpstreamId.L2;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollupboost.engine.BuilderOutcome;
import io.rollupboost.engine.BuilderQualityBreaker;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class HealthBoardTest {
  final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
  final ExecutionModeHolder modes = new ExecutionModeHolder(ExecutionMode.ENABLED);

  HealthBoard board(int failures, int successes) {
    return new HealthBoard(clock, modes, new EngineMetrics(), failures, successes);
  }

  static void round(HealthBoard board, boolean l2, boolean builder) {
    board.observe(L2, l2, l2 ? null : "l2 down", new HealthBoard.Head(10, "0x1", 1), 3);
    board.observe(
        BUILDER, builder, builder ? null : "builder down", new HealthBoard.Head(10, "0x1", 1), 3);
    board.roundCompleted();
  }

  @Test
  void unavailableUntilTheFirstProbeRound() {
    HealthBoard board = board(1, 1);
    assertThat(board.status()).isEqualTo(SERVICE_UNAVAILABLE);
    board.observe(L2, true, null, null, 1);
    board.observe(BUILDER, true, null, null, 1);
    assertThat(board.status()).isEqualTo(SERVICE_UNAVAILABLE);
    board.roundCompleted();
    assertThat(board.status()).isEqualTo(HEALTHY);
  }

  @ParameterizedTest
  @CsvSource({
    "enabled, true, true, HEALTHY",
    "enabled, true, false, PARTIAL_CONTENT",
    "enabled, false, true, SERVICE_UNAVAILABLE",
    "enabled, false, false, SERVICE_UNAVAILABLE",
    "dry_run, true, false, PARTIAL_CONTENT",
    "disabled, true, false, HEALTHY",
    "disabled, false, true, SERVICE_UNAVAILABLE"
  })
  void statusTable(String mode, boolean l2, boolean builder, HealthStatus expected) {
    modes.set(ExecutionMode.parse(mode), "test");
    HealthBoard board = board(1, 1);

    round(board, l2, builder);

    assertThat(board.status()).isEqualTo(expected);
  }

  @Test
  void switchingToDisabledIgnoresTheBuilderAtOnce() {
    HealthBoard board = board(1, 1);
    round(board, true, false);
    assertThat(board.status()).isEqualTo(PARTIAL_CONTENT);

    modes.set(ExecutionMode.DISABLED, "test");

    assertThat(board.status()).isEqualTo(HEALTHY);
  }

  @Test
  void failureAndSuccessThresholdsDampFlapping() {
    HealthBoard board = board(3, 2);
    round(board, true, true);

    round(board, true, false);
    round(board, true, false);
    assertThat(board.status()).as("two misses tolerated").isEqualTo(HEALTHY);
    round(board, true, true);
    round(board, true, false);
    round(board, true, false);
    assertThat(board.status()).as("a success resets the count").isEqualTo(HEALTHY);
    round(board, true, false);
    assertThat(board.status()).isEqualTo(PARTIAL_CONTENT);
    assertThat(board.builderUsable()).isFalse();

    round(board, true, true);
    assertThat(board.status()).as("one success is not enough").isEqualTo(PARTIAL_CONTENT);
    round(board, true, true);
    assertThat(board.status()).isEqualTo(HEALTHY);
    assertThat(board.component(BUILDER).since()).isEqualTo(clock.instant());
  }

  @Test
  void blockProductionIsEvidence() {
    HealthBoard board = board(1, 1);
    round(board, true, true);

    board.payloadProduced(true, BuilderOutcome.failed(BuilderOutcome.Kind.TIMEOUT, "slow"));
    assertThat(board.status()).isEqualTo(PARTIAL_CONTENT);
    assertThat(board.component(BUILDER).lastError()).contains("builder_timeout").contains("slow");

    board.payloadProduced(true, BuilderOutcome.failed(BuilderOutcome.Kind.BYPASSED, "skipped"));
    assertThat(board.component(BUILDER).failures()).as("a bypass is no new evidence").isEqualTo(1);

    board.builderSyncValid();
    assertThat(board.status()).as("VALID sync answers restore the builder").isEqualTo(HEALTHY);

    board.payloadProduced(false, BuilderOutcome.failed(BuilderOutcome.Kind.NO_TX_POOL, ""));
    assertThat(board.status()).isEqualTo(SERVICE_UNAVAILABLE);
    assertThat(board.component(BUILDER).state()).isEqualTo(ComponentStatus.State.HEALTHY);
  }

  /** A probe call that hung across the builder's recovery reports a timeout after it. */
  @Test
  void aFailureThatBeganBeforeALaterSuccessIsNoEvidence() {
    HealthBoard board = board(1, 1);
    round(board, true, true);
    long hungProbeStarted = System.nanoTime();

    board.builderSyncValid();
    board.observe(
        BUILDER, false, "no complete answer within 1000 ms", null, 1000, hungProbeStarted);

    assertThat(board.status()).isEqualTo(HEALTHY);
    assertThat(board.component(BUILDER).failures()).isZero();

    long laterProbeStarted = System.nanoTime();
    board.observe(BUILDER, false, "connection refused", null, 1, laterProbeStarted);

    assertThat(board.status())
        .as("a failure that began after it counts")
        .isEqualTo(PARTIAL_CONTENT);
    assertThat(board.component(BUILDER).lastError()).isEqualTo("connection refused");
  }

  /**
   * The breaker notifies outside its lock: a reset can overtake the notification of the degradation
   * it undid. The board reads the breaker's state, so the late notification changes nothing.
   */
  @Test
  void aLateNotificationFromTheBreakerLeavesNoStaleState() throws Exception {
    HealthBoard board = board(1, 1);
    round(board, true, true);
    BuilderQualityBreaker breaker =
        new BuilderQualityBreaker(true, 1, 1, 1, new EngineMetrics(), clock);
    CountDownLatch degradationAnnounced = new CountDownLatch(1);
    CountDownLatch resetDone = new CountDownLatch(1);
    breaker.onChange(
        degraded -> {
          if (degraded) {
            degradationAnnounced.countDown();
            try {
              resetDone.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    board.follow(breaker);
    Thread production = new Thread(() -> breaker.record(false, "unsafe block"));
    production.start();
    degradationAnnounced.await();

    breaker.reset("test");
    assertThat(board.status()).isEqualTo(HEALTHY);
    resetDone.countDown();
    production.join();

    assertThat(breaker.degraded()).isFalse();
    assertThat(board.status()).as("the late 'degraded' notification is stale").isEqualTo(HEALTHY);
  }

  @Test
  void headInformationSurvivesEvidenceWithoutHead() {
    HealthBoard board = board(1, 1);
    round(board, true, true);

    board.builderSyncValid();

    assertThat(board.component(BUILDER).headNumber()).isEqualTo(10);
    assertThat(board.component(BUILDER).lastLatencyMillis()).isEqualTo(3);
  }
}
