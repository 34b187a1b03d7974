package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollupboost.engine.EngineMethod.Route;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class EngineMethodTest {

  @ParameterizedTest
  @CsvSource({
    "engine_forkchoiceUpdatedV3, FORKCHOICE_UPDATED",
    "engine_getPayloadV3, GET_PAYLOAD",
    "engine_getPayloadV4, GET_PAYLOAD",
    "engine_getPayloadV5, GET_PAYLOAD",
    "engine_newPayloadV3, NEW_PAYLOAD",
    "engine_newPayloadV4, NEW_PAYLOAD",
    "engine_exchangeCapabilities, CAPABILITIES",
    "engine_forkchoiceUpdatedV2, UNSUPPORTED_ENGINE",
    "engine_getBlobsV1, UNSUPPORTED_ENGINE",
    "eth_sendRawTransaction, L2_AND_MIRROR",
    "eth_sendRawTransactionConditional, L2_AND_MIRROR",
    "miner_setExtra, L2_AND_MIRROR",
    "miner_setGasPrice, L2_AND_MIRROR",
    "miner_setGasLimit, L2_AND_MIRROR",
    "miner_setMaxDASize, L2_AND_MIRROR",
    "miner_start, L2_ONLY",
    "eth_getBlockByNumber, L2_ONLY",
    "debug_setExecutionMode, L2_ONLY",
    "'', L2_ONLY"
  })
  void routingTable(String method, Route route) {
    assertThat(EngineMethod.route(method)).isEqualTo(route);
  }

  @ParameterizedTest
  @CsvSource({
    "engine_getPayloadV3, engine_newPayloadV3",
    "engine_getPayloadV4, engine_newPayloadV4",
    "engine_getPayloadV5, engine_newPayloadV4"
  })
  void builderBlocksAreValidatedWithTheMatchingNewPayload(String getPayload, String newPayload) {
    assertThat(EngineMethod.of(getPayload).validationMethod()).isEqualTo(newPayload);
  }
}
