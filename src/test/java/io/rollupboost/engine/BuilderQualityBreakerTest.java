package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollupboost.metrics.EngineMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class BuilderQualityBreakerTest {
  final List<Boolean> changes = new ArrayList<>();

  BuilderQualityBreaker breaker(boolean enabled) {
    BuilderQualityBreaker b =
        new BuilderQualityBreaker(enabled, 3, 10, 3, new EngineMetrics(), Clock.systemUTC());
    b.onChange(changes::add);
    return b;
  }

  @Test
  void threeLossesInTenDegradeThreeWinsInARowRecover() {
    BuilderQualityBreaker b = breaker(true);
    b.record(false, "gasUsed");
    for (int i = 0; i < 5; i++) {
      b.record(true, "ok");
    }
    b.record(false, "unsafe");
    assertThat(b.degraded()).isFalse();
    b.record(false, "txCount");
    assertThat(b.degraded()).isTrue();
    assertThat(b.snapshot().get("window").toString())
        .contains("gasUsed")
        .contains("unsafe")
        .contains("txCount");

    b.record(true, "ok");
    b.record(true, "ok");
    b.record(false, "gasUsed");
    b.record(true, "ok");
    b.record(true, "ok");
    assertThat(b.degraded()).as("a loss restarts the count").isTrue();
    b.record(true, "ok");
    assertThat(b.degraded()).isFalse();
    assertThat(changes).containsExactly(true, false);
  }

  @Test
  void lossesOutsideTheWindowAreForgotten() {
    BuilderQualityBreaker b = breaker(true);
    b.record(false, "a");
    b.record(false, "b");
    for (int i = 0; i < 9; i++) {
      b.record(true, "ok");
    }
    b.record(false, "c");
    assertThat(b.degraded()).isFalse();
  }

  @Test
  void operatorResetTrustsAtOnceAndDisabledBreakerNeverTrips() {
    BuilderQualityBreaker b = breaker(true);
    for (int i = 0; i < 3; i++) {
      b.record(false, "x");
    }
    assertThat(b.reset("test")).contains("was degraded");
    assertThat(b.degraded()).isFalse();

    BuilderQualityBreaker off = breaker(false);
    for (int i = 0; i < 10; i++) {
      off.record(false, "x");
    }
    assertThat(off.degraded()).isFalse();
  }
}
