package io.rollupboost.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Checks every builder block must pass before it can be returned, whatever the L2 client's
 * newPayload says: it extends the parent and uses the timestamp op-node asked for, starts with
 * exactly the transactions the attributes forced (the deposits), in order, and has the gas limit,
 * prevRandao, fee recipient, withdrawals and beacon root the attributes set.
 */
public final class SafetyChecks {
  private SafetyChecks() {}

  /** Null when the payload is safe; otherwise what is wrong with it. */
  public static String check(JsonNode payload, String headBlockHash, JsonNode attributes) {
    return check(payload, null, headBlockHash, attributes);
  }

  /**
   * Null when the payload, and the beacon root its envelope carries ({@code envelopeRoot}, null
   * when it has none), are safe; otherwise what is wrong with them.
   */
  public static String check(
      JsonNode payload, JsonNode envelopeRoot, String headBlockHash, JsonNode attributes) {
    String parent = payload.path("parentHash").asText("");
    if (headBlockHash != null && !parent.equalsIgnoreCase(headBlockHash)) {
      return "wrong parent: builds on " + parent + ", op-node asked for " + headBlockHash;
    }
    if (attributes == null || !attributes.isObject()) {
      return null;
    }
    JsonNode timestamp = attributes.get("timestamp");
    if (timestamp != null && !sameQuantity(timestamp, payload.path("timestamp"))) {
      return "wrong timestamp: "
          + payload.path("timestamp").asText()
          + ", op-node asked for "
          + timestamp.asText();
    }
    JsonNode gasLimit = attributes.get("gasLimit");
    if (gasLimit != null
        && !gasLimit.isNull()
        && !sameQuantity(gasLimit, payload.path("gasLimit"))) {
      return "wrong gas limit: "
          + payload.path("gasLimit").asText()
          + ", attributes say "
          + gasLimit.asText();
    }
    // What op-node derives again from L1 and compares with the block (a block built with other
    // values is replaced by the derived one: an unsafe-chain reorg). L2 cannot tell: it validates
    // the block as built.
    String mismatch =
        sameText("prevRandao", attributes.get("prevRandao"), payload.get("prevRandao"));
    if (mismatch == null) {
      mismatch =
          sameText(
              "fee recipient",
              attributes.get("suggestedFeeRecipient"),
              payload.get("feeRecipient"));
    }
    if (mismatch == null && envelopeRoot != null && !envelopeRoot.isNull()) {
      mismatch =
          sameText("parentBeaconBlockRoot", attributes.get("parentBeaconBlockRoot"), envelopeRoot);
    }
    if (mismatch == null) {
      mismatch = sameWithdrawals(attributes.get("withdrawals"), payload.get("withdrawals"));
    }
    if (mismatch != null) {
      return mismatch;
    }
    JsonNode forced = attributes.get("transactions");
    if (forced != null && forced.isArray()) {
      JsonNode txs = payload.path("transactions");
      if (!txs.isArray() || txs.size() < forced.size()) {
        return "missing forced transactions: "
            + forced.size()
            + " required, block has "
            + txs.size();
      }
      for (int i = 0; i < forced.size(); i++) {
        if (!forced
            .get(i)
            .asText("")
            .toLowerCase(Locale.ROOT)
            .equals(txs.get(i).asText("").toLowerCase(Locale.ROOT))) {
          return "forced transaction " + i + " missing or out of order";
        }
      }
    }
    return null;
  }

  /** Null when the attributes do not set {@code expected} or the block has the same hex value. */
  private static String sameText(String what, JsonNode expected, JsonNode actual) {
    if (expected == null || !expected.isTextual()) {
      return null;
    }
    String got = actual == null ? "" : actual.asText("");
    if (expected.asText().equalsIgnoreCase(got)) {
      return null;
    }
    return "wrong "
        + what
        + ": "
        + (got.isEmpty() ? "none" : got)
        + ", attributes say "
        + expected.asText();
  }

  /** Null when the attributes set no withdrawals or the block has exactly theirs, in order. */
  private static String sameWithdrawals(JsonNode expected, JsonNode actual) {
    if (expected == null || !expected.isArray()) {
      return null;
    }
    if (actual == null || !actual.isArray() || actual.size() != expected.size()) {
      return "wrong withdrawals: "
          + (actual != null && actual.isArray() ? actual.size() : "none")
          + ", attributes say "
          + expected.size();
    }
    for (int i = 0; i < expected.size(); i++) {
      JsonNode want = expected.get(i);
      JsonNode got = actual.get(i);
      boolean same =
          sameQuantity(want.path("index"), got.path("index"))
              && sameQuantity(want.path("validatorIndex"), got.path("validatorIndex"))
              && sameQuantity(want.path("amount"), got.path("amount"))
              && want.path("address").asText("").equalsIgnoreCase(got.path("address").asText("-"));
      if (!same) {
        return "wrong withdrawal " + i;
      }
    }
    return null;
  }

  private static boolean sameQuantity(JsonNode expected, JsonNode actual) {
    BigInteger a = quantity(expected);
    BigInteger b = quantity(actual);
    return a != null && a.equals(b);
  }

  /** A 0x-hex QUANTITY or a JSON number (op-node encodes some fields as numbers). */
  static BigInteger quantity(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue();
    }
    String text = node.asText("");
    try {
      return text.startsWith("0x") || text.startsWith("0X")
          ? new BigInteger(text.substring(2), 16)
          : new BigInteger(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
