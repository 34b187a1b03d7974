package io.rollupboost.engine;

import io.rollupboost.upstream.UpstreamId;

/**
 * Which block getPayload returns and why.
 *
 * @param reason null when the builder block was used; otherwise a short fixed label
 * @param countsAsFallback whether the L2 block was used although the builder was in play
 * @param objection the policy that preferred the L2 block, when one did (also in dry runs)
 */
public record Selection(
    UpstreamId source,
    String reason,
    boolean countsAsFallback,
    PayloadSelector.Objection objection) {}
