package io.rollupboost.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

final class JsonRpcCodecTest {
  final JsonRpcCodec codec = new JsonRpcCodec(3);

  JsonRpcCodec.Body parse(String body) {
    return codec.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keepsParamsAsTheExactBytesReceived() {
    String params =
        "[ {\"a\" : 1.50e3, \"b\":[null,true], \"c\":\"\\u00e9\"}, 123456789012345678901234567890 ]";
    JsonRpcRequest call =
        parse("{\"id\":\"x\",\"params\":" + params + ",\"method\":\"m\",\"jsonrpc\":\"2.0\"}")
            .calls()
            .get(0);

    assertThat(call.params().toString()).isEqualTo(params);
    assertThat(call.id().toString()).isEqualTo("\"x\"");
    assertThat(call.method()).isEqualTo("m");
  }

  @Test
  void keepsIdsOfEveryScalarType() {
    assertThat(
            parse("{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890123,\"method\":\"m\"}")
                .calls()
                .get(0)
                .id())
        .hasToString("12345678901234567890123");
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}").calls().get(0).id())
        .hasToString("null");
    JsonRpcRequest notification = parse("{\"jsonrpc\":\"2.0\",\"method\":\"m\"}").calls().get(0);
    assertThat(notification.isNotification()).isTrue();
    assertThat(notification.params()).isNull();
  }

  @Test
  void batchElementsAreIndependent() {
    JsonRpcCodec.Body body =
        parse(
            "[{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"m\"}, 5, "
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"n\",\"params\":{\"k\":[1]}}]");

    assertThat(body.batch()).isTrue();
    List<JsonRpcRequest> calls = body.calls();
    assertThat(calls.get(0).invalid()).isNotNull();
    assertThat(calls.get(1).invalid()).isNotNull();
    assertThat(calls.get(2).params()).hasToString("{\"k\":[1]}");
  }

  @Test
  void topLevelErrors() {
    assertThat(code(parse("{"))).isEqualTo(JsonRpcError.PARSE_ERROR);
    assertThat(code(parse("{} {}"))).isEqualTo(JsonRpcError.PARSE_ERROR);
    assertThat(code(parse("[]"))).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(code(parse(""))).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(code(parse("[1,2,3,4]")))
        .as("batch limit 3")
        .isEqualTo(JsonRpcError.INVALID_REQUEST);
    byte[] badUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
    assertThat(codec.parse(badUtf8).topLevelError()).isNotNull();
  }

  @Test
  void writesResponsesAndRequests() {
    assertThat(
            new String(
                JsonRpcCodec.response(RawJson.of("7"), RpcOutcome.result(RawJson.of("[1]"))),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":[1]}");
    assertThat(
            new String(
                JsonRpcCodec.request(9, "a\"b", RawJson.of("[ 1 ]")), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"a\\\"b\",\"params\":[ 1 ]}");
    assertThat(
            new String(
                JsonRpcCodec.response(RawJson.NULL, RpcOutcome.error(-1, "q\"\n")),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-1,\"message\":\"q\\\"\\n\"}}");
  }

  static int code(JsonRpcCodec.Body body) {
    String error = body.topLevelError().error().toString();
    return Integer.parseInt(error.replaceAll(".*\"code\":(-?\\d+).*", "$1"));
  }

  /** The bytes of a member, and for a repeated name the value a tree parse would keep. */
  @Test
  void memberIsTheExactBytesOfTheValueATreeParseKeeps() throws Exception {
    RawJson object =
        RawJson.of(
            "{\"executionPayload\" : { \"n\" : 1 },\"x\":[1,{}],"
                + "\"executionPayload\":{ \"n\" : 2 },\"y\":\"z\"}");

    assertThat(JsonRpcCodec.member(object, "executionPayload")).hasToString("{ \"n\" : 2 }");
    assertThat(
            JsonRpcCodec.MAPPER.readTree(object.bytes()).path("executionPayload").path("n").asInt())
        .isEqualTo(2);
    assertThat(JsonRpcCodec.member(object, "missing")).isNull();
    assertThat(JsonRpcCodec.member(RawJson.of("[1]"), "x")).isNull();
  }

  /** Scalar ids are echoed as the bytes op-node sent, escapes and number spelling included. */
  @Test
  void echoesScalarIdsAsTheExactBytesReceived() {
    for (String id :
        List.of("7", "-0", "7.50e1", "1E+2", "\"a\\\"b\\u00e9\\\\\"", "\"été\"", "\"\"", "true")) {
      JsonRpcRequest call =
          parse("{\"jsonrpc\":\"2.0\",\"id\" :  " + id + " ,\"method\":\"m\"}").calls().get(0);
      assertThat(call.id()).hasToString(id);
      assertThat(
              new String(
                  JsonRpcCodec.response(call.id(), RpcOutcome.result(RawJson.NULL)),
                  StandardCharsets.UTF_8))
          .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":null}");
    }
    JsonRpcRequest last =
        parse("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"m\",\"id\":9}").calls().get(0);
    assertThat(last.id()).hasToString("9");
  }

  @Test
  void textMemberReadsOnlyStrings() {
    RawJson object =
        RawJson.of("{\"payloadId\" : \"0x00\\u0041\",\"n\":1,\"o\":{\"payloadId\":\"no\"}}");

    assertThat(JsonRpcCodec.textMember(object, "payloadId")).isEqualTo("0x00A");
    assertThat(JsonRpcCodec.textMember(object, "n")).isNull();
    assertThat(JsonRpcCodec.textMember(object, "missing")).isNull();
    assertThat(JsonRpcCodec.textMember(RawJson.of("\"payloadId\""), "payloadId")).isNull();
    assertThat(JsonRpcCodec.textMember(RawJson.of("{\"payloadId\":"), "payloadId")).isNull();
  }
}
