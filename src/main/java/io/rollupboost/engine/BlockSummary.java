package io.rollupboost.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import java.io.IOException;

/**
 * What the selection policies and the block log read from a getPayload envelope: a few scalars and
 * how many transactions, without the transactions. {@link #scan} reads it from the envelope's bytes
 * in one streaming pass that keeps no transaction, where a Jackson tree of a 1 MB block holds every
 * transaction as a string; {@link #of} reads it from a tree already parsed.
 *
 * <p>Both read exactly what the tree accessors the policies used before read: a scalar field is
 * absent (null) when missing, the last of repeated keys wins (also for {@code executionPayload}
 * itself), and {@code transactions} counts the values of an array (or of an object) while a
 * transaction is a deposit when its text starts with {@code 0x7e}, in any case.
 *
 * @param blockNumber executionPayload.blockNumber, or null
 * @param blockHash executionPayload.blockHash, or null
 * @param gasUsed executionPayload.gasUsed, or null
 * @param extraData executionPayload.extraData, or null
 * @param blockValue blockValue (beside executionPayload), or null
 * @param transactions how many values executionPayload.transactions holds
 * @param nonDepositTransactions how many of them are not deposits
 */
public record BlockSummary(
    JsonNode blockNumber,
    JsonNode blockHash,
    JsonNode gasUsed,
    JsonNode extraData,
    JsonNode blockValue,
    int transactions,
    int nonDepositTransactions) {

  private static final BlockSummary EMPTY = new BlockSummary(null, null, null, null, null, 0, 0);
  private static final String DEPOSIT_PREFIX = "0x7e";

  /** The summary of an envelope parsed into a tree. */
  public static BlockSummary of(JsonNode envelope) {
    if (envelope == null || !envelope.isObject()) {
      return EMPTY;
    }
    JsonNode payload = envelope.path("executionPayload");
    int count = 0;
    int nonDeposit = 0;
    for (JsonNode tx : payload.path("transactions")) {
      count++;
      if (!isDeposit(tx.asText(""))) {
        nonDeposit++;
      }
    }
    return new BlockSummary(
        payload.get("blockNumber"),
        payload.get("blockHash"),
        payload.get("gasUsed"),
        payload.get("extraData"),
        envelope.get("blockValue"),
        count,
        nonDeposit);
  }

  /** The summary of an envelope's bytes; an unreadable envelope has an empty summary. */
  public static BlockSummary scan(RawJson envelope) {
    byte[] input = envelope.bytes();
    try (JsonParser p = JsonRpcCodec.parser(input)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return EMPTY;
      }
      Builder summary = new Builder();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("executionPayload".equals(name)) {
          summary.payload(p, value, input);
        } else if ("blockValue".equals(name)) {
          summary.blockValue = p.readValueAsTree();
        } else {
          p.skipChildren();
        }
      }
      return summary.build();
    } catch (IOException e) {
      return EMPTY;
    }
  }

  private static boolean isDeposit(String text) {
    return text.regionMatches(true, 0, DEPOSIT_PREFIX, 0, DEPOSIT_PREFIX.length());
  }

  /** The fields as the scan meets them; a later executionPayload replaces an earlier one. */
  private static final class Builder {
    JsonNode blockNumber;
    JsonNode blockHash;
    JsonNode gasUsed;
    JsonNode extraData;
    JsonNode blockValue;
    int transactions;
    int nonDeposit;

    void payload(JsonParser p, JsonToken start, byte[] input) throws IOException {
      blockNumber = null;
      blockHash = null;
      gasUsed = null;
      extraData = null;
      transactions = 0;
      nonDeposit = 0;
      if (start != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "blockNumber" -> blockNumber = p.readValueAsTree();
          case "blockHash" -> blockHash = p.readValueAsTree();
          case "gasUsed" -> gasUsed = p.readValueAsTree();
          case "extraData" -> extraData = p.readValueAsTree();
          case "transactions" -> transactions(p, value, input);
          default -> p.skipChildren();
        }
      }
    }

    void transactions(JsonParser p, JsonToken start, byte[] input) throws IOException {
      transactions = 0;
      nonDeposit = 0;
      boolean object = start == JsonToken.START_OBJECT;
      if (!object && start != JsonToken.START_ARRAY) {
        return;
      }
      JsonToken end = object ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
      for (JsonToken t = p.nextToken(); t != end; t = p.nextToken()) {
        if (t == null) {
          throw new IOException("truncated transactions");
        }
        if (object) {
          t = p.nextToken(); // the value after the field name
        }
        transactions++;
        // Anything but a string reads as "" or digits in the tree: never a deposit.
        if (t != JsonToken.VALUE_STRING || !depositString(p, input)) {
          nonDeposit++;
        }
        p.skipChildren();
      }
    }

    /**
     * Whether the string token at hand starts with the deposit prefix. The prefix is read from the
     * input bytes after the opening quote, so that the parser skips the string's text instead of
     * decoding it; only a string with an escape or a quote among its first bytes is decoded.
     */
    private static boolean depositString(JsonParser p, byte[] input) throws IOException {
      long quote = p.currentTokenLocation().getByteOffset();
      int from = (int) quote + 1;
      if (quote >= 0 && from + DEPOSIT_PREFIX.length() <= input.length) {
        boolean plain = true;
        boolean match = true;
        for (int i = 0; i < DEPOSIT_PREFIX.length(); i++) {
          byte b = input[from + i];
          if (b == '\\' || b == '"') {
            plain = false;
            break;
          }
          match &= Character.toLowerCase((char) b) == DEPOSIT_PREFIX.charAt(i);
        }
        if (plain) {
          return match;
        }
      }
      return isDeposit(p.getText());
    }

    BlockSummary build() {
      return new BlockSummary(
          blockNumber, blockHash, gasUsed, extraData, blockValue, transactions, nonDeposit);
    }
  }
}
