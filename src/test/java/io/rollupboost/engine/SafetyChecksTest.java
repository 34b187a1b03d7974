package io.rollupboost.engine;

import static io.rollupboost.engine.PayloadSelectorTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
}
