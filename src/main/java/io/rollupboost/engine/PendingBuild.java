package io.rollupboost.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * A block build op-node started with forkchoiceUpdated + attributes.
 *
 * @param builderPayloadId completes with the builder's payload id, or exceptionally with the reason
 *     the builder has none; null when the builder was never asked
 * @param notAskedReason why the builder was not asked (a {@link BuilderOutcome.Kind}), or null
 * @param parentBeaconBlockRoot from the attributes, needed to validate the builder's block
 * @param headBlockHash the parent op-node asked to build on
 * @param attributes the payload attributes as op-node sent them (for the safety checks)
 */
public record PendingBuild(
    CompletableFuture<String> builderPayloadId,
    BuilderOutcome.Kind notAskedReason,
    String parentBeaconBlockRoot,
    String headBlockHash,
    JsonNode attributes) {}
