package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

final class VersionedHashesTest {
  @Test
  void kzgVersionedHashIsVersionByteThenSha256Tail() {
    // Computed independently (Python hashlib) for 48 zero bytes; the version byte 0x01 replaces its
    // first byte.
    var commitments = JsonNodeFactory.instance.arrayNode().add("0x" + "00".repeat(48));

    assertThat(EngineMultiplexer.versionedHashes(commitments).get(0).asText())
        .isEqualTo("0x01b0761f87b081d5cf10757ccc89f12be355c70e2e29df288b65b30710dcbcd1");
  }

  @Test
  void noCommitmentsNoHashes() {
    assertThat(EngineMultiplexer.versionedHashes(JsonNodeFactory.instance.missingNode())).isEmpty();
  }
}
