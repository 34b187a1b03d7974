package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollupboost.rpc.RawJson;
import io.rollupboost.testing.FakeEngine;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class AmbiguousKeysTest {
  static String find(String json) {
    return AmbiguousKeys.find(RawJson.wrap(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aRealEnvelopeIsUnambiguous() {
    assertThat(find(FakeEngine.envelope("0x" + "01".repeat(32), 7, 21000, 5))).isNull();
  }

  @Test
  void keysThatGoWouldMatchToOneFieldAreFound() {
    assertThat(find("{\"executionPayload\":{},\"ExecutionPayload\":{}}"))
        .isEqualTo("key \"ExecutionPayload\" repeats (ignoring case) in the builder's envelope");
    assertThat(find("{\"executionPayload\":{\"parentHash\":\"0x1\",\"parentHash\":\"0x2\"}}"))
        .contains("\"parentHash\" repeats");
    assertThat(find("{\"executionPayload\":{\"transactions\":[],\"transactionſ\":[]}}"))
        .isEqualTo("non-ASCII key \"transaction\\u017f\" in the builder's envelope");
  }

  @Test
  void theSameKeyInDifferentObjectsIsFine() {
    assertThat(find("{\"a\":{\"index\":1},\"b\":[{\"index\":1},{\"index\":2}],\"index\":3}"))
        .isNull();
  }
}
