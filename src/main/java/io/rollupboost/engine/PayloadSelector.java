package io.rollupboost.engine;

import io.rollupboost.upstream.UpstreamId;

/** Chooses the block getPayload returns; a pure function of the mode and the builder outcome. */
public final class PayloadSelector {

  /**
   * @param l2Delivered whether the L2 client returned its own block
   */
  public Selection select(ExecutionMode mode, boolean l2Delivered, BuilderOutcome builder) {
    if (mode == ExecutionMode.DISABLED) {
      return new Selection(UpstreamId.L2, "mode_disabled", false);
    }
    if (!builder.delivered()) {
      return new Selection(
          UpstreamId.L2, builder.kind().reason(), builder.kind().countsAsFallback());
    }
    if (mode == ExecutionMode.DRY_RUN) {
      return new Selection(UpstreamId.L2, "dry_run", true);
    }
    if (!l2Delivered) {
      // The L2 client already accepted this block through newPayload: returning it keeps the
      // chain moving although the L2 client's own getPayload failed.
      return new Selection(UpstreamId.BUILDER, "l2_failed", false);
    }
    return new Selection(UpstreamId.BUILDER, null, false);
  }
}
