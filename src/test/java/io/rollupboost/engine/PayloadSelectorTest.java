package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.upstream.UpstreamId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class PayloadSelectorTest {
  final PayloadSelector selector = new PayloadSelector();
  final BuilderOutcome delivered =
      BuilderOutcome.delivered(RawJson.of("{}"), JsonNodeFactory.instance.objectNode());

  @Test
  void enabledPrefersTheValidatedBuilderBlock() {
    assertThat(selector.select(ExecutionMode.ENABLED, true, delivered))
        .isEqualTo(new Selection(UpstreamId.BUILDER, null, false));
  }

  @Test
  void dryRunReturnsL2AndCountsIt() {
    assertThat(selector.select(ExecutionMode.DRY_RUN, true, delivered))
        .isEqualTo(new Selection(UpstreamId.L2, "dry_run", true));
  }

  @Test
  void disabledAlwaysL2WithoutFallback() {
    assertThat(selector.select(ExecutionMode.DISABLED, true, delivered))
        .isEqualTo(new Selection(UpstreamId.L2, "mode_disabled", false));
  }

  @Test
  void builderBlockKeepsTheChainMovingWhenL2GetPayloadFailed() {
    assertThat(selector.select(ExecutionMode.ENABLED, false, delivered).source())
        .isEqualTo(UpstreamId.BUILDER);
    assertThat(selector.select(ExecutionMode.DRY_RUN, false, delivered).source())
        .isEqualTo(UpstreamId.L2);
  }

  @ParameterizedTest
  @EnumSource(
      value = BuilderOutcome.Kind.class,
      names = "DELIVERED",
      mode = EnumSource.Mode.EXCLUDE)
  void everyBuilderFailureFallsBackWithItsReason(BuilderOutcome.Kind kind) {
    Selection s = selector.select(ExecutionMode.ENABLED, true, BuilderOutcome.failed(kind, "x"));

    assertThat(s.source()).isEqualTo(UpstreamId.L2);
    assertThat(s.reason()).isEqualTo(kind.reason()).matches("[a-z_]+");
    assertThat(s.countsAsFallback()).isEqualTo(kind != BuilderOutcome.Kind.NO_TX_POOL);
  }
}
