package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming scan of L2's block reads what the tree the builder's block is parsed into reads.
 */
final class BlockSummaryTest {

  /** The tree the service parses an envelope into (missing when it cannot be parsed). */
  static JsonNode tree(String json) {
    try {
      JsonNode node = JsonRpcCodec.MAPPER.readTree(json);
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "l2-envelope.json",
        "builder-envelope-empty.json",
        "builder-envelope-full.json",
      })
  void realEnvelopesReadTheSameScannedAsFromTheirTree(String fixture) {
    RawJson raw = PayloadSelectorTest.raw(fixture);
    BlockSummary scanned = BlockSummary.scan(raw);

    assertThat(scanned).isEqualTo(BlockSummary.of(tree(new String(raw.bytes(), UTF8))));
    assertThat(scanned.transactions()).isPositive();
    assertThat(scanned.blockHash()).isNotNull();
  }

  private static final java.nio.charset.Charset UTF8 = java.nio.charset.StandardCharsets.UTF_8;

  @ParameterizedTest
  @ValueSource(
      strings = {
        // deposits in any case, escapes, short and non-string transactions
        "{\"executionPayload\":{\"blockNumber\":\"0x10\",\"blockHash\":\"0xab\",\"gasUsed\":\"0x5208\","
            + "\"transactions\":[\"0x7ef8\",\"0X7E00\",\"0x7Eaa\",\"\\u0030x7e01\",\"0x02f8\",\"0x\","
            + "\"\",12,null,true,{\"a\":[1,2]},[\"0x7e\"]]},\"blockValue\":\"0x1\"}",
        // an escape or a non-ASCII character inside the prefix; strings shorter than it
        "{\"executionPayload\":{\"transactions\":[\"0x7\\u0065ff\",\"0x\\\"7e\",\"0x7\u00e9\","
            + "\"0x7\",\"0x7e\",\"\\u00307e\"]}}",
        // the last of repeated keys wins; a later executionPayload replaces all of an earlier one
        "{\"executionPayload\":{\"gasUsed\":\"0x1\",\"transactions\":[\"0x02\"],\"gasUsed\":\"0x2\"},"
            + "\"blockValue\":\"0x5\",\"executionPayload\":{\"blockHash\":\"0xcd\"},\"blockValue\":7}",
        "{\"executionPayload\":{\"transactions\":[\"0x02\",\"0x03\"],\"transactions\":[\"0x7e\"]}}",
        // odd shapes: transactions as an object, a string, null; payload not an object
        "{\"executionPayload\":{\"transactions\":{\"a\":\"0x7e01\",\"b\":\"0x02\",\"c\":{}}}}",
        "{\"executionPayload\":{\"transactions\":\"0x7e01\",\"gasUsed\":21000}}",
        "{\"executionPayload\":{\"transactions\":null,\"blockNumber\":null}}",
        "{\"executionPayload\":[1,2,3],\"blockValue\":{\"x\":1}}",
        "{\"executionPayload\":\"0x\",\"blockValue\":1.5e3}",
        "{}",
        "[{\"executionPayload\":{\"gasUsed\":\"0x1\"}}]",
        "\"executionPayload\"",
        "null",
        // unreadable: nothing is read from a block that is not JSON
        "{\"executionPayload\":{\"gasUsed\":\"0x1\",\"transactions\":[\"0x02\"",
        "{\"executionPayload\":{\"gasUsed\":\"0x1\"} garbage",
      })
  void oddEnvelopesReadTheSameScannedAsFromTheirTree(String json) {
    BlockSummary scanned = BlockSummary.scan(RawJson.of(json));

    assertThat(scanned).isEqualTo(BlockSummary.of(tree(json)));
  }

  @org.junit.jupiter.api.Test
  void countsEveryTransactionAndTheDepositsApart() {
    BlockSummary s =
        BlockSummary.scan(
            RawJson.of(
                "{\"executionPayload\":{\"blockNumber\":\"0x10\",\"gasUsed\":\"0x5208\","
                    + "\"transactions\":[\"0x7ef8\",\"0X7E00\",\"0x02f8\",\"0x\"]},"
                    + "\"blockValue\":\"0x1\"}"));

    assertThat(s.transactions()).isEqualTo(4);
    assertThat(s.nonDepositTransactions()).isEqualTo(2);
    assertThat(s.blockNumber().asText()).isEqualTo("0x10");
    assertThat(s.blockValue().asText()).isEqualTo("0x1");
    assertThat(s.blockHash()).isNull();
  }
}
