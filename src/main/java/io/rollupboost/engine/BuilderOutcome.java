package io.rollupboost.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.rpc.RawJson;

/**
 * What the builder path of one getPayload produced: a block the L2 client validated, or the reason
 * there is none.
 *
 * @param envelopeRaw the builder's getPayload result as received (only when {@code DELIVERED})
 * @param envelope the same, parsed
 */
public record BuilderOutcome(Kind kind, String detail, RawJson envelopeRaw, JsonNode envelope) {

  /**
   * Why the builder block was or was not usable. {@code reason} is the fallback metric label;
   * {@code builderAtFault} says whether this is evidence against the builder's health.
   */
  public enum Kind {
    DELIVERED(null, false, false),
    NO_PAYLOAD_ID("no_payload_id", true, false),
    NO_TX_POOL("no_tx_pool", false, false),
    BYPASSED("builder_unhealthy", true, false),
    FCU_FAILED("builder_fcu_failed", true, true),
    TIMEOUT("builder_timeout", true, true),
    UNREACHABLE("builder_unreachable", true, true),
    ERROR("builder_error", true, true),
    BAD_RESPONSE("builder_bad_response", true, true),
    /**
     * Failed a safety check (wrong parent or timestamp, missing forced transactions, gas limit,
     * other attributes, EIP-1559 parameters in extraData).
     */
    UNSAFE("unsafe_block", true, false),
    INVALID("invalid_block", true, true),
    NOT_VALID("not_valid", true, true),
    VALIDATION_FAILED("validation_failed", true, true),
    /**
     * The L2 client could not be asked to validate the builder's block (unreachable, garbled
     * answer): the same fallback reason, but no evidence against the builder.
     */
    VALIDATION_UNAVAILABLE("validation_failed", true, false),
    DEADLINE("deadline", true, true);

    private final String reason;
    private final boolean countsAsFallback;
    private final boolean builderAtFault;

    Kind(String reason, boolean countsAsFallback, boolean builderAtFault) {
      this.reason = reason;
      this.countsAsFallback = countsAsFallback;
      this.builderAtFault = builderAtFault;
    }

    public String reason() {
      return reason;
    }

    /** Whether using the L2 block because of this counts in the fallback metric. */
    public boolean countsAsFallback() {
      return countsAsFallback;
    }

    public boolean builderAtFault() {
      return builderAtFault;
    }
  }

  public static BuilderOutcome failed(Kind kind, String detail) {
    return new BuilderOutcome(kind, detail, null, null);
  }

  public static BuilderOutcome delivered(RawJson raw, JsonNode envelope) {
    return new BuilderOutcome(Kind.DELIVERED, "validated by l2", raw, envelope);
  }

  public boolean delivered() {
    return kind == Kind.DELIVERED;
  }
}
