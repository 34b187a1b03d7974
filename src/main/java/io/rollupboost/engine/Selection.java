package io.rollupboost.engine;

import io.rollupboost.upstream.UpstreamId;

/**
 * Which block getPayload returns and why.
 *
 * @param reason null when the builder block was used; otherwise a short fixed label
 * @param countsAsFallback whether the L2 block was used although the builder was in play
 */
public record Selection(UpstreamId source, String reason, boolean countsAsFallback) {}
