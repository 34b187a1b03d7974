package io.rollupboost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class ApplicationExitCodeTest {
  @Test
  void haUsageErrorsAreNotMistakenForAVerdict() {
    assertThat(RollupBoostApplication.fatalExitCode(new String[] {"ha", "--inventry", "x"}))
        .isEqualTo(4);
    assertThat(RollupBoostApplication.fatalExitCode(new String[] {"execution-mode", "bogus"}))
        .isEqualTo(1);
    assertThat(RollupBoostApplication.fatalExitCode(new String[0])).isEqualTo(1);
  }
}
