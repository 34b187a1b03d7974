package io.rollupboost.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checks every builder block must pass before it can be returned, whatever the L2 client's
 * newPayload says: it extends the parent and uses the timestamp op-node asked for, starts with
 * exactly the transactions the attributes forced (the deposits), in order, and has the gas limit,
 * prevRandao, fee recipient, withdrawals and beacon root the attributes set, and from Holocene the
 * EIP-1559 parameters (and from Jovian the minimum base fee) in its extraData.
 */
public final class SafetyChecks {
  /** {@code eip1559Params} of all zeros: the execution client's chain defaults. */
  private static final byte[] CHAIN_DEFAULTS = new byte[8];

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
    if (mismatch == null) {
      mismatch = feeParams(attributes, payload.get("extraData"));
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

  /**
   * From Holocene op-node sets {@code eip1559Params} (denominator and elasticity, 4 bytes each) and
   * the block's extraData must carry them: version 0 and the 8 bytes; from Jovian it also sets
   * {@code minBaseFee}, and extraData is version 1, the 8 bytes and the minimum base fee (8 bytes),
   * all big-endian. L2's newPayload cannot tell other values, since it never saw the attributes;
   * op-node derives them again from L1 (the SystemConfig), and its derivation compares a block's
   * EIP-1559 parameters with the attributes and replaces a block that differs. Null when the
   * attributes set no such parameters or the block carries them. Zero parameters mean "the chain's
   * defaults", which the execution client fills in from its chain config and this service does not
   * know: then only the encoding and the minimum base fee are checked.
   */
  static String feeParams(JsonNode attributes, JsonNode extraDataNode) {
    byte[] params = bytes(attributes.get("eip1559Params"));
    if (params == null || params.length != 8) {
      return null; // before Holocene (or attributes no execution client would have accepted)
    }
    JsonNode minBaseFeeNode = attributes.get("minBaseFee");
    BigInteger minBaseFee =
        minBaseFeeNode == null || minBaseFeeNode.isNull() ? null : quantity(minBaseFeeNode);
    if (minBaseFee == null && minBaseFeeNode != null && !minBaseFeeNode.isNull()) {
      return null; // unreadable: attributes no execution client would have accepted
    }
    int version = minBaseFee == null ? 0 : 1;
    int length = minBaseFee == null ? 9 : 17;
    String extraData = extraDataNode == null ? "none" : extraDataNode.asText("");
    byte[] data = bytes(extraDataNode);
    if (data == null || data.length != length || data[0] != version) {
      return "wrong extraData: "
          + extraData
          + ", "
          + (version == 0 ? "Holocene" : "Jovian")
          + " attributes need version "
          + version
          + " in "
          + length
          + " bytes";
    }
    boolean defaults = Arrays.equals(params, CHAIN_DEFAULTS);
    if (!defaults && !Arrays.equals(params, Arrays.copyOfRange(data, 1, 9))) {
      return "wrong EIP-1559 parameters in extraData: "
          + extraData
          + ", attributes say "
          + attributes.get("eip1559Params").asText();
    }
    if (minBaseFee != null
        && !minBaseFee.equals(new BigInteger(1, Arrays.copyOfRange(data, 9, 17)))) {
      return "wrong minimum base fee in extraData: "
          + extraData
          + ", attributes say "
          + minBaseFeeNode.asText();
    }
    return null;
  }

  /**
   * The other half of {@link #feeParams} for zero {@code eip1559Params}: each execution client then
   * encodes its chain's default parameters, so the L2 client's block for the same attributes shows
   * what the builder's extraData must be. Null when the attributes set parameters other than zero
   * (checked against the attributes themselves), set none (before Holocene), or L2 has no block to
   * compare with; otherwise what differs.
   */
  static String sameDefaultFeeParams(
      JsonNode attributes, JsonNode builderExtraData, JsonNode l2ExtraData) {
    byte[] params = attributes == null ? null : bytes(attributes.get("eip1559Params"));
    byte[] l2 = bytes(l2ExtraData);
    if (!Arrays.equals(params, CHAIN_DEFAULTS) || l2 == null) {
      return null;
    }
    if (Arrays.equals(bytes(builderExtraData), l2)) {
      return null;
    }
    return "wrong EIP-1559 parameters in extraData: "
        + (builderExtraData == null ? "none" : builderExtraData.asText(""))
        + ", the L2 client's block for the same default parameters has "
        + l2ExtraData.asText();
  }

  /** The bytes of 0x-prefixed hex DATA; null when {@code node} is not such a string. */
  private static byte[] bytes(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    String text = node.asText();
    if (!(text.startsWith("0x") || text.startsWith("0X")) || text.length() % 2 != 0) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(text, 2, text.length());
    } catch (IllegalArgumentException e) {
      return null;
    }
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
