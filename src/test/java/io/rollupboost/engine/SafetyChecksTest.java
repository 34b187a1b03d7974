package io.rollupboost.engine;

import static io.rollupboost.engine.PayloadSelectorTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

final class SafetyChecksTest {
  final JsonNode fcu = fixture("fcu-with-deposit.json");
  final String head = fcu.path("forkchoiceState").path("headBlockHash").asText();
  final JsonNode attributes = fcu.get("attributes");

  String check(String envelope) {
    return SafetyChecks.check(fixture(envelope).get("executionPayload"), head, attributes);
  }

  @Test
  void aBlockOnTheRightParentWithTheDepositsFirstIsSafe() {
    assertThat(check("builder-envelope-full.json")).isNull();
    assertThat(check("builder-envelope-empty.json")).isNull();
  }

  @Test
  void droppingTheForcedDepositIsUnsafe() {
    assertThat(check("builder-envelope-no-deposit.json"))
        .startsWith("forced transaction 0 missing or out of order");
  }

  @Test
  void buildingOnAnotherParentIsUnsafe() {
    assertThat(check("builder-envelope-wrong-parent.json")).startsWith("wrong parent");
  }

  @Test
  void wrongTimestampOrGasLimitIsUnsafe() {
    ObjectNode payload = (ObjectNode) fixture("builder-envelope-full.json").get("executionPayload");
    payload.put("timestamp", "0x6650f0a2");
    assertThat(SafetyChecks.check(payload, head, attributes)).startsWith("wrong timestamp");
    payload.put("timestamp", "0x6650f0a1");
    payload.put("gasLimit", "0x1c9c381");
    assertThat(SafetyChecks.check(payload, head, attributes)).startsWith("wrong gas limit");
  }

  @Test
  void attributesWithoutOpFieldsOnlyCheckParentAndTimestamp() {
    ObjectNode plain = attributes.deepCopy();
    plain.remove("transactions");
    plain.remove("gasLimit");
    JsonNode noDeposit = fixture("builder-envelope-no-deposit.json").get("executionPayload");

    assertThat(SafetyChecks.check(noDeposit, head, plain)).isNull();
  }

  /** What op-node derives again from L1: a block built with other values would be reorged out. */
  @Test
  void otherPrevRandaoFeeRecipientWithdrawalsOrBeaconRootIsUnsafe() {
    JsonNode envelope = fixture("builder-envelope-full.json");
    JsonNode root = envelope.get("parentBeaconBlockRoot");
    ObjectNode payload = (ObjectNode) envelope.get("executionPayload");
    assertThat(SafetyChecks.check(payload, root, head, attributes)).isNull();

    ObjectNode randao = payload.deepCopy().put("prevRandao", "0x" + "56".repeat(32));
    assertThat(SafetyChecks.check(randao, root, head, attributes)).startsWith("wrong prevRandao");

    ObjectNode fee = payload.deepCopy().put("feeRecipient", "0x" + "42".repeat(20));
    assertThat(SafetyChecks.check(fee, root, head, attributes)).startsWith("wrong fee recipient");

    ObjectNode withdrawal = payload.deepCopy();
    withdrawal
        .putArray("withdrawals")
        .addObject()
        .put("index", "0x0")
        .put("validatorIndex", "0x1")
        .put("address", "0x" + "77".repeat(20))
        .put("amount", "0x10");
    assertThat(SafetyChecks.check(withdrawal, root, head, attributes))
        .startsWith("wrong withdrawals: 1, attributes say 0");

    assertThat(SafetyChecks.check(payload, new TextNode("0x" + "98".repeat(32)), head, attributes))
        .startsWith("wrong parentBeaconBlockRoot");
    assertThat(SafetyChecks.check(payload, null, head, attributes))
        .as("an envelope without a root is validated with the attributes' root")
        .isNull();
  }
}
