package io.rollupboost.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Checks every builder block must pass before it can be returned, whatever the L2 client's
 * newPayload says: it extends the parent and uses the timestamp op-node asked for, starts with
 * exactly the transactions the attributes forced (the deposits), in order, and has the gas limit
 * the attributes set.
 */
public final class SafetyChecks {
  private SafetyChecks() {}

  /** Null when the payload is safe; otherwise what is wrong with it. */
  public static String check(JsonNode payload, String headBlockHash, JsonNode attributes) {
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
