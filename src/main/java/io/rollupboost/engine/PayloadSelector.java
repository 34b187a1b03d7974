package io.rollupboost.engine;

import io.rollupboost.upstream.UpstreamId;
import java.util.List;

/**
 * Chooses the block getPayload returns: a pure function of the mode, the builder outcome, the L2
 * block, the configured policies and whether the builder is currently degraded.
 */
public final class PayloadSelector {
  private final List<SelectionPolicy> policies;
  private final double minGasRatio;
  private final double minTxRatio;

  public PayloadSelector(List<SelectionPolicy> policies, double minGasRatio, double minTxRatio) {
    this.policies = List.copyOf(policies);
    this.minGasRatio = minGasRatio;
    this.minTxRatio = minTxRatio;
  }

  /** No policies: a valid builder block always wins. */
  public static PayloadSelector builderIfValid() {
    return new PayloadSelector(List.of(), 0.1, 0.5);
  }

  /**
   * The policies' verdict on a valid builder block against the L2 block: null when the builder
   * block is at least as good, otherwise the first objecting policy and why.
   */
  public Objection compare(BlockSummary builderBlock, BlockSummary l2Block) {
    for (SelectionPolicy policy : policies) {
      String why = policy.objection(builderBlock, l2Block, minGasRatio, minTxRatio);
      if (why != null) {
        return new Objection(policy, why);
      }
    }
    return null;
  }

  /** A policy preferring the L2 block. */
  public record Objection(SelectionPolicy policy, String detail) {}

  /**
   * @param l2Block the L2 block, or null when the L2 client delivered none
   */
  public Selection select(
      ExecutionMode mode, BlockSummary l2Block, BuilderOutcome builder, boolean degraded) {
    if (mode == ExecutionMode.DISABLED) {
      return new Selection(UpstreamId.L2, "mode_disabled", false, null);
    }
    if (!builder.delivered()) {
      return new Selection(
          UpstreamId.L2, builder.kind().reason(), builder.kind().countsAsFallback(), null);
    }
    Objection objection =
        l2Block == null ? null : compare(BlockSummary.of(builder.envelope()), l2Block);
    if (mode == ExecutionMode.DRY_RUN) {
      return new Selection(UpstreamId.L2, "dry_run", true, objection);
    }
    if (l2Block == null) {
      // The L2 client already accepted this block through newPayload: returning it keeps the
      // chain moving although the L2 client's own getPayload failed, even from a degraded builder
      // (its blocks lose comparisons, but a safe valid block beats no block).
      return new Selection(UpstreamId.BUILDER, "l2_failed", false, null);
    }
    if (degraded) {
      return new Selection(UpstreamId.L2, "builder_degraded", true, objection);
    }
    if (objection != null) {
      return new Selection(UpstreamId.L2, "policy_" + objection.policy().label(), true, objection);
    }
    return new Selection(UpstreamId.BUILDER, null, false, null);
  }
}
