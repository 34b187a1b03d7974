package io.rollupboost;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.FaultyUpstream;
import io.rollupboost.testing.RawPost;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A seeded generator of hostile JSON-RPC input against the running front door: bodies, batches, ids
 * of every JSON type, nested and huge params, unicode, invalid UTF-8, truncations and raw bytes,
 * over one keep-alive connection. Every answer must be a JSON-RPC response (never a 5xx or an HTML
 * page), the connection must stay open, nothing may be logged as an error, and whatever reaches the
 * L2 client must carry the params exactly as sent. {@code -Dfuzz.seed} and {@code -Dfuzz.cases}
 * replay or extend a run.
 */
final class FrontDoorFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20_261_123L);
  static final int CASES = Integer.getInteger("fuzz.cases", 3000);

  /** Methods the service forwards to the L2 client as they are: their params can be checked. */
  static final List<String> FORWARDED =
      List.of("eth_chainId", "eth_getBalance", "eth_call", "net_version", "eth_estimateGas");

  static final List<String> OTHER_METHODS =
      List.of(
          "engine_forkchoiceUpdatedV3",
          "engine_getPayloadV3",
          "engine_newPayloadV3",
          "engine_newPayloadV4",
          "engine_exchangeCapabilities",
          "engine_getPayloadV9",
          "eth_sendRawTransaction",
          "miner_setMaxDASize",
          "",
          "rpc.discover",
          "eth_\u00e9\u4e2d\ud83d\ude00",
          "x".repeat(300));

  private final Random random = new Random(SEED);
  private final RpcClient rpc = new RpcClient();
  private final List<ILoggingEvent> errors = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> capture =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          if (event.getLevel().isGreaterOrEqual(Level.ERROR)
              || (event.getLevel().isGreaterOrEqual(Level.WARN)
                  && event.getThrowableProxy() != null)) {
            errors.add(event);
          }
        }
      };

  @BeforeEach
  void listen() {
    TestService.L2.reset();
    TestService.BUILDER.reset();
    capture.start();
    root().addAppender(capture);
  }

  @AfterEach
  void stopListening() {
    root().detachAppender(capture);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void noInputBreaksTheFrontDoor() throws IOException {
    Map<String, Integer> kinds = new TreeMap<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    int forwardedChecked = 0;
    RawPost connection = new RawPost(TestService.APP.getLocalPort());
    try {
      for (int i = 0; i < CASES; i++) {
        Case c = next();
        kinds.merge(c.kind, 1, Integer::sum);
        int l2Before = TestService.L2.calls().size();
        RawPost.Response response;
        try {
          response = connection.post(c.body, random.nextInt(3) == 0 ? rpc.token() : null);
        } catch (IOException e) {
          throw new AssertionError(
              "case " + i + " (" + c.kind + ") dropped the connection: " + describe(c.body), e);
        }
        statuses.merge(response.status(), 1, Integer::sum);
        check(i, c, response);
        if (c.forwardedParams != null && response.text().contains("\"result\"")) {
          List<FakeEngine.Call> calls = TestService.L2.calls();
          assertThat(calls.size())
              .as("case %d reached the L2 client once", i)
              .isEqualTo(l2Before + 1);
          assertThat(calls.get(calls.size() - 1).body())
              .as("case %d: params forwarded byte for byte", i)
              .endsWith(",\"params\":" + c.forwardedParams + "}");
          forwardedChecked++;
        }
        if (response.closes()) {
          connection.close();
          connection = new RawPost(TestService.APP.getLocalPort());
        }
        if (i % 500 == 0) {
          TestService.L2.reset();
        }
      }
    } finally {
      connection.close();
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "front-door fuzz: seed %d, %d cases %s, statuses %s, %d forwarded calls checked byte for"
            + " byte%n",
        SEED,
        CASES,
        kinds,
        statuses,
        forwardedChecked);
    assertThat(errors)
        .as(
            "error log lines or exceptions logged: %s",
            errors.stream().map(Object::toString).toList())
        .isEmpty();
    assertThat(forwardedChecked).as("the generator produces forwardable calls").isGreaterThan(100);
  }

  @Test
  void anOversizedBodyIsRefusedAndTheCloseAnnounced() throws IOException {
    try (RawPost connection = new RawPost(TestService.APP.getLocalPort())) {
      RawPost.Response response = connection.post(new byte[8 << 20], null);
      assertThat(response.status()).isEqualTo(413);
      assertThat(FakeEngine.JSON.readTree(response.body()).path("error").path("code").asInt())
          .isEqualTo(-32001);
      assertThat(response.closes())
          .as("the unread rest of the body ends the connection, and the response says so")
          .isTrue();
    }
  }

  /**
   * JSON-RPC bodies are UTF-8; Jackson would read UTF-16 as characters, without the byte offsets
   * raw values are sliced by (an exception that once left the request unanswered).
   */
  @Test
  void aBodyInUtf16GetsAParseError() throws IOException {
    String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
    try (RawPost connection = new RawPost(TestService.APP.getLocalPort())) {
      RawPost.Response response = connection.post(FaultyUpstream.utf16(call), null);
      assertThat(response.status()).isEqualTo(200);
      JsonNode error = FakeEngine.JSON.readTree(response.body()).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(-32700);
      assertThat(error.path("message").asText()).contains("not UTF-8");
      assertThat(connection.post(call.getBytes(StandardCharsets.UTF_8), null).status())
          .as("the connection still serves")
          .isEqualTo(200);
    }
  }

  @Test
  void otherHttpMethodsOnTheRootGetAJsonRpc405() {
    RpcClient.Response get = rpc.get(TestService.app());
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.json().path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(get.json().path("error").path("message").asText()).contains("POST");
  }

  private void check(int i, Case c, RawPost.Response response) throws IOException {
    String where = "case " + i + " (" + c.kind + ") " + describe(c.body);
    assertThat(response.status()).as(where).isIn(200, 204, 400, 401, 413);
    if (response.status() == 413) {
      return;
    }
    assertThat(response.closes()).as("connection kept open: " + where).isFalse();
    if (response.status() == 204) {
      assertThat(response.body()).as(where).isEmpty();
      return;
    }
    assertThat(response.headers()).as(where).contains("content-type: application/json");
    JsonNode json;
    try {
      json = FakeEngine.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.text() + " for " + where, e);
    }
    if (json.isArray()) {
      assertThat(json.size()).as(where).isPositive();
      json.forEach(element -> assertResponseObject(element, where));
    } else {
      assertResponseObject(json, where);
    }
  }

  private static void assertResponseObject(JsonNode node, String where) {
    assertThat(node.isObject()).as(where).isTrue();
    assertThat(node.path("jsonrpc").asText()).as(where).isEqualTo("2.0");
    assertThat(node.has("id")).as(where).isTrue();
    assertThat(node.has("result") ^ node.has("error")).as(where).isTrue();
    if (node.has("error")) {
      assertThat(node.path("error").path("code").isInt()).as(where).isTrue();
      assertThat(node.path("error").path("message").isTextual()).as(where).isTrue();
    }
  }

  private static String describe(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
    return "[" + body.length + " bytes] " + text.replaceAll("[\\p{Cntrl}]", "?");
  }

  // ---- the generator --------------------------------------------------------------------------

  /** One input; {@code forwardedParams} is set when the L2 client must see exactly these params. */
  record Case(String kind, byte[] body, String forwardedParams) {}

  private Case next() {
    int pick = random.nextInt(100);
    if (pick < 30) {
      String method = FORWARDED.get(random.nextInt(FORWARDED.size()));
      String params = random.nextInt(8) == 0 ? jsonObject(3) : jsonArray(3);
      String id = validId();
      return new Case("forwarded", utf8(request(id, method, params)), params);
    }
    if (pick < 45) {
      String method =
          random.nextBoolean()
              ? OTHER_METHODS.get(random.nextInt(OTHER_METHODS.size()))
              : FORWARDED.get(random.nextInt(FORWARDED.size()));
      return new Case("any-id-any-params", utf8(request(anyValue(2), method, anyValue(4))), null);
    }
    if (pick < 60) {
      StringBuilder batch = new StringBuilder("[");
      int n = random.nextInt(12);
      for (int k = 0; k < n; k++) {
        if (k > 0) {
          batch.append(',');
        }
        batch.append(
            random.nextInt(4) == 0
                ? anyValue(2)
                : request(
                    validId(), FORWARDED.get(random.nextInt(FORWARDED.size())), jsonArray(2)));
      }
      return new Case("batch", utf8(batch.append(']').toString()), null);
    }
    if (pick < 70) {
      return new Case("json-value", utf8(anyValue(5)), null);
    }
    if (pick < 85) {
      return new Case(
          "mutated", mutate(utf8(request(validId(), "eth_chainId", jsonArray(3)))), null);
    }
    if (pick < 90) {
      return new Case("deep", utf8(deep()), null);
    }
    if (pick < 95) {
      return new Case("invalid-utf8", invalidUtf8(), null);
    }
    byte[] bytes = new byte[random.nextInt(400)];
    random.nextBytes(bytes);
    return new Case("random-bytes", bytes, null);
  }

  private static String request(String id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":"
        + quote(method)
        + ",\"params\":"
        + params
        + "}";
  }

  private String validId() {
    return switch (random.nextInt(6)) {
      case 0 -> "null";
      case 1 -> Integer.toString(random.nextInt());
      case 2 -> quote(string());
      case 3 -> "123456789012345678901234567890";
      case 4 -> "1.5e300";
      default -> Long.toString(random.nextLong());
    };
  }

  private String anyValue(int depth) {
    int pick = random.nextInt(depth <= 0 ? 6 : 8);
    return switch (pick) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> number();
      case 3, 4 -> quote(string());
      case 5 -> "{}";
      case 6 -> jsonArray(depth - 1);
      default -> jsonObject(depth - 1);
    };
  }

  private String jsonArray(int depth) {
    StringBuilder b = new StringBuilder("[");
    int n = random.nextInt(5);
    for (int k = 0; k < n; k++) {
      b.append(k > 0 ? "," : "").append(anyValue(depth));
    }
    return b.append(']').toString();
  }

  private String jsonObject(int depth) {
    StringBuilder b = new StringBuilder("{");
    int n = random.nextInt(5);
    for (int k = 0; k < n; k++) {
      b.append(k > 0 ? "," : "").append(quote(string())).append(':').append(anyValue(depth));
    }
    return b.append('}').toString();
  }

  private String number() {
    return switch (random.nextInt(8)) {
      case 0 -> "1e999999";
      case 1 -> "-0";
      case 2 -> "0.1e-400";
      case 3 -> "9".repeat(1 + random.nextInt(400));
      case 4 -> Double.toString(random.nextDouble() * 1e10);
      case 5 -> "-" + random.nextInt(1000) + "." + random.nextInt(1000) + "E+" + random.nextInt(30);
      default -> Long.toString(random.nextLong());
    };
  }

  private String string() {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(random.nextInt(10) == 0 ? 2000 : 12);
    for (int k = 0; k < n; k++) {
      switch (random.nextInt(7)) {
        case 0 -> b.append((char) ('a' + random.nextInt(26)));
        case 1 -> b.append("\u00e9\u00df\u4e2d\u0416");
        case 2 -> b.appendCodePoint(0x1F600 + random.nextInt(50));
        case 3 -> b.append("\\u0000\\n\\\"\\\\");
        case 4 -> b.append("\\ud83d"); // an escaped lone surrogate
        case 5 -> b.append("0x").append(Long.toHexString(random.nextLong()));
        default -> b.append(' ');
      }
    }
    return b.toString();
  }

  /** Quotes a string the generator built (its escapes are kept as written). */
  private static String quote(String s) {
    return "\"" + s.replace("\"", "") + "\"";
  }

  private byte[] mutate(byte[] body) {
    byte[] copy = body.clone();
    switch (random.nextInt(4)) {
      case 0 -> {
        return java.util.Arrays.copyOf(copy, random.nextInt(copy.length));
      }
      case 1 -> copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
      case 2 -> copy[random.nextInt(copy.length)] = '"';
      default -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = random.nextInt(copy.length);
        out.write(copy, 0, at);
        out.write(0);
        out.write(copy, at, copy.length - at);
        return out.toByteArray();
      }
    }
    return copy;
  }

  private String deep() {
    int depth = 500 + random.nextInt(3000);
    String params = "[".repeat(depth) + "]".repeat(depth);
    return request("1", "eth_call", params);
  }

  private byte[] invalidUtf8() {
    byte[][] bad = {
      {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}
    };
    byte[] prefix = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[\"a");
    byte[] suffix = utf8("\"]}");
    byte[] middle = bad[random.nextInt(bad.length)];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix);
    out.writeBytes(middle);
    out.writeBytes(suffix);
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
