package io.rollupboost.engine;

import static io.rollupboost.engine.PayloadSelectorTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
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

  /** op-node's derivation compares these with the block too; L2 never saw the attributes. */
  @Test
  void extraDataMustCarryTheAttributesFeeParameters() {
    ObjectNode payload = (ObjectNode) fixture("builder-envelope-full.json").get("executionPayload");
    assertThat(withExtraData(payload, attributes, "0x01000000fa0000000600000000000f4240"))
        .as("Jovian: version 1, denominator 250, elasticity 6, minimum base fee 1000000")
        .isNull();
    assertThat(withExtraData(payload, attributes, "0x01000000fa0000000600000000000F4240"))
        .as("hex case does not matter")
        .isNull();

    assertThat(withExtraData(payload, attributes, "0x01000000fa0000000800000000000f4240"))
        .isEqualTo(
            "wrong EIP-1559 parameters in extraData: 0x01000000fa0000000800000000000f4240,"
                + " attributes say 0x000000fa00000006");
    assertThat(withExtraData(payload, attributes, "0x01000000fa0000000600000000000f4241"))
        .startsWith("wrong minimum base fee in extraData");
    assertThat(withExtraData(payload, attributes, "0x00000000fa00000006"))
        .isEqualTo(
            "wrong extraData: 0x00000000fa00000006, Jovian attributes need version 1 in 17 bytes");
    for (String bad : List.of("0x", "0x02000000fa0000000600000000000f4240", "0x01zz", "vanity")) {
      assertThat(withExtraData(payload, attributes, bad)).as(bad).startsWith("wrong extraData");
    }
    payload.remove("extraData");
    assertThat(SafetyChecks.check(payload, head, attributes)).startsWith("wrong extraData: none");
  }

  @Test
  void holoceneAttributesNeedVersionZeroAndTheirParameters() {
    ObjectNode holocene = attributes.deepCopy();
    holocene.remove("minBaseFee");
    ObjectNode payload = (ObjectNode) fixture("builder-envelope-full.json").get("executionPayload");

    assertThat(withExtraData(payload, holocene, "0x00000000fa00000006")).isNull();
    assertThat(withExtraData(payload, holocene, "0x00000000fa00000008"))
        .startsWith("wrong EIP-1559 parameters");
    assertThat(withExtraData(payload, holocene, "0x01000000fa0000000600000000000f4240"))
        .endsWith("Holocene attributes need version 0 in 9 bytes");
    holocene.putNull("minBaseFee");
    assertThat(withExtraData(payload, holocene, "0x00000000fa00000006")).isNull();
    holocene.put("minBaseFee", "0x");
    assertThat(withExtraData(payload, holocene, "0x01000000fa0000000600000000000f4240"))
        .as("attributes no execution client accepts are not the builder's fault")
        .isNull();
  }

  /**
   * Zero parameters ask the execution client for its chain's defaults, which this service does not
   * know: any parameters pass, the encoding and the minimum base fee are still checked.
   */
  @Test
  void zeroParametersLeaveTheDefaultsToTheExecutionClient() {
    ObjectNode defaults = attributes.deepCopy();
    defaults.put("eip1559Params", "0x0000000000000000");
    ObjectNode payload = (ObjectNode) fixture("builder-envelope-full.json").get("executionPayload");

    assertThat(withExtraData(payload, defaults, "0x01000000fa0000000600000000000f4240")).isNull();
    assertThat(withExtraData(payload, defaults, "0x01000000320000000a00000000000f4240")).isNull();
    assertThat(withExtraData(payload, defaults, "0x01000000fa0000000600000000000f4241"))
        .startsWith("wrong minimum base fee");
    assertThat(withExtraData(payload, defaults, "0x00000000fa00000006"))
        .startsWith("wrong extraData");
  }

  @Test
  void beforeHoloceneExtraDataIsTheBuildersOwn() {
    ObjectNode bedrock = attributes.deepCopy();
    bedrock.remove("eip1559Params");
    bedrock.remove("minBaseFee");
    ObjectNode payload = (ObjectNode) fixture("builder-envelope-full.json").get("executionPayload");

    assertThat(withExtraData(payload, bedrock, "0x")).isNull();
    assertThat(withExtraData(payload, bedrock, "0x6275696c646572")).isNull();
  }

  String withExtraData(ObjectNode payload, JsonNode attrs, String extraData) {
    return SafetyChecks.check(payload.deepCopy().put("extraData", extraData), head, attrs);
  }

  @Test
  void withZeroParametersTheBuilderMustEncodeWhatTheL2ClientEncoded() {
    ObjectNode defaults = attributes.deepCopy();
    defaults.put("eip1559Params", "0x0000000000000000");
    TextNode l2 = new TextNode("0x01000000fa0000000600000000000f4240");

    assertThat(
            SafetyChecks.sameDefaultFeeParams(
                defaults, new TextNode("0x01000000FA0000000600000000000F4240"), l2))
        .as("hex case does not matter")
        .isNull();
    assertThat(
            SafetyChecks.sameDefaultFeeParams(
                defaults, new TextNode("0x01000000320000000a00000000000f4240"), l2))
        .isEqualTo(
            "wrong EIP-1559 parameters in extraData: 0x01000000320000000a00000000000f4240, the L2"
                + " client's block for the same default parameters has "
                + l2.asText());
    assertThat(SafetyChecks.sameDefaultFeeParams(defaults, null, l2)).startsWith("wrong");
    assertThat(SafetyChecks.sameDefaultFeeParams(defaults, new TextNode("0x00"), null))
        .as("no L2 block to compare with")
        .isNull();
    assertThat(SafetyChecks.sameDefaultFeeParams(attributes, new TextNode("0x00"), l2))
        .as("parameters other than zero are checked against the attributes")
        .isNull();
    ObjectNode bedrock = attributes.deepCopy();
    bedrock.remove("eip1559Params");
    assertThat(SafetyChecks.sameDefaultFeeParams(bedrock, new TextNode("0x00"), l2)).isNull();
  }
}
