package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.upstream.UpstreamId;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Selection and its policies on real Engine API payload JSON (fixtures/engine). */
final class PayloadSelectorTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode fixture(String name) {
    try (InputStream in =
        PayloadSelectorTest.class.getResourceAsStream("/fixtures/engine/" + name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static RawJson raw(String name) {
    try (InputStream in =
        PayloadSelectorTest.class.getResourceAsStream("/fixtures/engine/" + name)) {
      return RawJson.wrap(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static BlockSummary summary(String fixture) {
    return BlockSummary.of(fixture(fixture));
  }

  static BuilderOutcome delivered(String fixture) {
    return BuilderOutcome.delivered(RawJson.of("{}"), fixture(fixture));
  }

  // As the service reads L2's block: scanned from its bytes.
  final BlockSummary l2 = BlockSummary.scan(raw("l2-envelope.json"));
  final PayloadSelector none = PayloadSelector.builderIfValid();
  final PayloadSelector all =
      new PayloadSelector(
          List.of(SelectionPolicy.GAS_USED, SelectionPolicy.TX_COUNT, SelectionPolicy.VALUE),
          0.1,
          0.5);

  @Test
  void withoutPoliciesAValidBuilderBlockAlwaysWins() {
    assertThat(
            none.select(ExecutionMode.ENABLED, l2, delivered("builder-envelope-empty.json"), false))
        .isEqualTo(new Selection(UpstreamId.BUILDER, null, false, null));
  }

  @Test
  void fullerBuilderBlockPassesEveryPolicy() {
    assertThat(
            all.select(ExecutionMode.ENABLED, l2, delivered("builder-envelope-full.json"), false)
                .source())
        .isEqualTo(UpstreamId.BUILDER);
  }

  @Test
  void gasUsedPolicyRejectsAnUnderfilledBlock() {
    PayloadSelector gas = new PayloadSelector(List.of(SelectionPolicy.GAS_USED), 0.1, 0.5);

    Selection s =
        gas.select(ExecutionMode.ENABLED, l2, delivered("builder-envelope-empty.json"), false);

    assertThat(s.source()).isEqualTo(UpstreamId.L2);
    assertThat(s.reason()).isEqualTo("policy_gas_used");
    assertThat(s.objection().detail()).contains("46875").contains("3000000");
  }

  @Test
  void gasRatioBoundaryIsInclusiveForTheBuilder() {
    ObjectNode exactlyTenPercent = fixture("builder-envelope-empty.json").deepCopy();
    ((ObjectNode) exactlyTenPercent.get("executionPayload")).put("gasUsed", "0x493e0");
    PayloadSelector gas = new PayloadSelector(List.of(SelectionPolicy.GAS_USED), 0.1, 0.5);

    assertThat(gas.compare(BlockSummary.of(exactlyTenPercent), l2)).isNull();
  }

  @Test
  void txCountPolicyIgnoresDeposits() {
    PayloadSelector txs = new PayloadSelector(List.of(SelectionPolicy.TX_COUNT), 0.1, 0.5);

    assertThat(l2.nonDepositTransactions()).isEqualTo(4);
    assertThat(txs.compare(summary("builder-envelope-empty.json"), l2).policy())
        .isEqualTo(SelectionPolicy.TX_COUNT);
    assertThat(txs.compare(summary("builder-envelope-full.json"), l2)).isNull();
  }

  @Test
  void valuePolicyComparesBlockValue() {
    PayloadSelector value = new PayloadSelector(List.of(SelectionPolicy.VALUE), 0.1, 0.5);

    assertThat(value.compare(summary("builder-envelope-empty.json"), l2).policy())
        .isEqualTo(SelectionPolicy.VALUE);
    assertThat(value.compare(summary("builder-envelope-full.json"), l2)).isNull();
  }

  @Test
  void dryRunAndDegradedReturnL2ButStillCompare() {
    Selection dry =
        all.select(ExecutionMode.DRY_RUN, l2, delivered("builder-envelope-empty.json"), false);
    Selection degraded =
        all.select(ExecutionMode.ENABLED, l2, delivered("builder-envelope-full.json"), true);

    assertThat(dry)
        .extracting(Selection::source, Selection::reason)
        .containsExactly(UpstreamId.L2, "dry_run");
    assertThat(dry.objection()).isNotNull();
    assertThat(degraded)
        .extracting(Selection::source, Selection::reason)
        .containsExactly(UpstreamId.L2, "builder_degraded");
    assertThat(degraded.objection()).isNull();
  }

  @Test
  void disabledAlwaysL2WithoutFallback() {
    assertThat(
            none.select(ExecutionMode.DISABLED, l2, delivered("builder-envelope-full.json"), false))
        .isEqualTo(new Selection(UpstreamId.L2, "mode_disabled", false, null));
  }

  @Test
  void builderBlockKeepsTheChainMovingWhenL2GetPayloadFailed() {
    assertThat(
            all.select(ExecutionMode.ENABLED, null, delivered("builder-envelope-empty.json"), false)
                .source())
        .isEqualTo(UpstreamId.BUILDER);
    assertThat(
            all.select(ExecutionMode.ENABLED, null, delivered("builder-envelope-empty.json"), true)
                .source())
        .as("a degraded builder's safe, validated block still beats no block")
        .isEqualTo(UpstreamId.BUILDER);
    assertThat(
            none.select(ExecutionMode.DRY_RUN, null, delivered("builder-envelope-full.json"), false)
                .source())
        .isEqualTo(UpstreamId.L2);
  }

  @ParameterizedTest
  @EnumSource(
      value = BuilderOutcome.Kind.class,
      names = "DELIVERED",
      mode = EnumSource.Mode.EXCLUDE)
  void everyBuilderFailureFallsBackWithItsReason(BuilderOutcome.Kind kind) {
    Selection s = none.select(ExecutionMode.ENABLED, l2, BuilderOutcome.failed(kind, "x"), false);

    assertThat(s.source()).isEqualTo(UpstreamId.L2);
    assertThat(s.reason()).isEqualTo(kind.reason()).matches("[a-z_]+");
    assertThat(s.countsAsFallback()).isEqualTo(kind != BuilderOutcome.Kind.NO_TX_POOL);
  }
}
