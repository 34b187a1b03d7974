package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class UpstreamReplyTest {
  static UpstreamReply parse(String body, long id) {
    return UpstreamReply.parse(body.getBytes(StandardCharsets.UTF_8), id);
  }

  @Test
  void acceptsOnlyAnswersToOurNumericId() {
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"}", 7).result())
        .hasToString("\"0x1\"");
    assertThat(parse("{\"id\":7.0,\"result\":{\"a\" : 1}}", 7).result()).hasToString("{\"a\" : 1}");
    assertThat(parse("{\"id\":7e0,\"result\":true}", 7).result()).hasToString("true");
    assertThat(parse("{\"id\":\"x\",\"result\":1,\"id\":7}", 7).result()).hasToString("1");

    for (String id : new String[] {"8", "7.5", "\"7\"", "null", "[7]", "18446744073709551623"}) {
      assertThatThrownBy(() -> parse("{\"id\":" + id + ",\"result\":1}", 7))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("response id " + id + " does not match request id 7");
    }
    assertThatThrownBy(() -> parse("{\"result\":1}", 7))
        .hasMessage("response id missing does not match request id 7");
  }

  @Test
  void keepsTheErrorObjectAsSent() {
    UpstreamReply reply = parse("{\"id\":3,\"error\":{\"code\":-32000,\"message\":\"m\\\"\"}}", 3);

    assertThat(reply.isError()).isTrue();
    assertThat(reply.outcome().error()).hasToString("{\"code\":-32000,\"message\":\"m\\\"\"}");
  }
}
