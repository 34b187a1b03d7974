package io.rollupboost.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Reads JSON-RPC 2.0 bodies (single or batch) and writes responses. Only {@code jsonrpc}, {@code
 * id} and {@code method} are interpreted; {@code params} is kept as the exact byte range it
 * occupied in the body.
 */
public final class JsonRpcCodec {
  /** Jackson setup shared by everything that looks inside a JSON value: numbers kept exact. */
  public static final ObjectMapper MAPPER = newMapper();

  private static final byte[] JSONRPC_PREFIX =
      "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESULT_MEMBER = ascii(",\"result\":");
  private static final byte[] ERROR_MEMBER = ascii(",\"error\":");
  private static final byte[] METHOD_MEMBER = ascii(",\"method\":\"");
  private static final byte[] QUOTE_PARAMS_MEMBER = ascii("\",\"params\":");
  private static final byte[] QUOTE_CLOSE = ascii("\"}");
  private static final byte[] CLOSE = ascii("}");
  private static final byte[] NONE = new byte[0];

  private final int maxBatchSize;

  public JsonRpcCodec(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(256)
                    .maxNumberLength(1000)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();
    ObjectMapper mapper = new ObjectMapper(factory);
    mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    return mapper;
  }

  /** The parsed body: a single call, or a batch; {@code parseError} when the body is not JSON. */
  public record Body(boolean batch, List<JsonRpcRequest> calls, RpcOutcome topLevelError) {}

  public Body parse(byte[] body) {
    try (JsonParser p = parser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return topLevel(JsonRpcError.INVALID_REQUEST, "empty request body");
      }
      Body result;
      if (first == JsonToken.START_ARRAY) {
        List<JsonRpcRequest> calls = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (calls.size() == maxBatchSize) {
            return topLevel(
                JsonRpcError.INVALID_REQUEST,
                "batch too large: more than " + maxBatchSize + " calls");
          }
          calls.add(element(p, body));
        }
        if (calls.isEmpty()) {
          return topLevel(JsonRpcError.INVALID_REQUEST, "empty batch");
        }
        result = new Body(true, calls, null);
      } else {
        result = new Body(false, List.of(element(p, body)), null);
      }
      if (p.nextToken() != null) {
        return topLevel(JsonRpcError.PARSE_ERROR, "parse error: trailing data after JSON value");
      }
      return result;
    } catch (JsonProcessingException e) {
      return topLevel(JsonRpcError.PARSE_ERROR, "parse error: " + e.getOriginalMessage());
    } catch (IOException e) {
      return topLevel(JsonRpcError.PARSE_ERROR, "parse error: " + e.getMessage());
    }
  }

  private static Body topLevel(int code, String message) {
    return new Body(false, List.of(), RpcOutcome.error(code, message));
  }

  /** Reads one element; the parser sits on its first token and ends on its last. */
  private static JsonRpcRequest element(JsonParser p, byte[] body) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return JsonRpcRequest.invalid(
          null, JsonRpcError.INVALID_REQUEST, "request must be a JSON object");
    }
    RawJson id = null;
    boolean idPresent = false;
    boolean idProblem = false;
    String version = null;
    String method = null;
    boolean methodIsString = true;
    RawJson params = null;
    String paramsProblem = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "jsonrpc" -> {
          version = value == JsonToken.VALUE_STRING ? p.getText() : null;
          p.skipChildren();
        }
        case "id" -> {
          idPresent = true;
          if (value.isStructStart()) {
            p.skipChildren();
            idProblem = true;
          } else {
            id = rawValue(p, body);
          }
        }
        case "method" -> {
          methodIsString = value == JsonToken.VALUE_STRING;
          method = methodIsString ? p.getText() : null;
          p.skipChildren();
        }
        case "params" -> {
          if (value.isStructStart()) {
            params = rawValue(p, body);
          } else if (value != JsonToken.VALUE_NULL) {
            paramsProblem = "params must be an array or an object";
          }
        }
        default -> p.skipChildren();
      }
    }
    if (idProblem) {
      return JsonRpcRequest.invalid(
          null, JsonRpcError.INVALID_REQUEST, "id must be a string, number or null");
    }
    RawJson replyId = idPresent ? id : null;
    if (!"2.0".equals(version)) {
      return JsonRpcRequest.invalid(
          replyId, JsonRpcError.INVALID_REQUEST, "jsonrpc must be \"2.0\"");
    }
    if (method == null || !methodIsString) {
      return JsonRpcRequest.invalid(
          replyId, JsonRpcError.INVALID_REQUEST, "method must be a string");
    }
    if (paramsProblem != null) {
      return JsonRpcRequest.invalid(replyId, JsonRpcError.INVALID_REQUEST, paramsProblem);
    }
    return JsonRpcRequest.call(replyId, method, params);
  }

  /**
   * A streaming parser over UTF-8 JSON. Jackson would detect UTF-16 and UTF-32 by their zero bytes
   * and read them as characters, without byte offsets to slice raw values by; JSON between systems
   * is UTF-8 (RFC 8259 section 8.1), so any other encoding is a parse error here.
   *
   * @throws JsonParseException when {@code bytes} are not in UTF-8
   */
  public static JsonParser parser(byte[] bytes) throws IOException {
    JsonParser p = MAPPER.getFactory().createParser(bytes);
    if (!(p instanceof UTF8StreamJsonParser)) {
      p.close();
      throw new JsonParseException(null, "not UTF-8: JSON-RPC bodies must be UTF-8");
    }
    return p;
  }

  /**
   * The value the parser sits on as raw JSON, as the exact bytes of {@code body} that spell it
   * (containers and scalars alike: the same JSON value). Leaves the parser on the value's last
   * token. No data binding: op-node's id and every scalar result pass through here on each call.
   */
  public static RawJson rawValue(JsonParser p, byte[] body) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return RawJson.NULL;
    }
    int from = (int) p.currentTokenLocation().getByteOffset();
    if (from < 0) {
      throw new JsonParseException(p, "raw JSON needs a parser over UTF-8 bytes");
    }
    if (token.isStructStart()) {
      p.skipChildren();
    } else if (token == JsonToken.VALUE_STRING) {
      // Strings are read lazily: the parser's position passes the closing quote only once read.
      p.finishToken();
    }
    return RawJson.slice(body, from, (int) p.currentLocation().getByteOffset());
  }

  /**
   * The exact bytes of member {@code name} of a JSON object, or null when it is not an object or
   * has no such member. One pass that skips every other member without building it. A repeated name
   * yields its last value, as {@link ObjectMapper#readTree} (and Go's decoder) would.
   */
  public static RawJson member(RawJson object, String name) throws IOException {
    byte[] bytes = object.bytes();
    RawJson found = null;
    try (JsonParser p = parser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(p.currentName());
        p.nextToken();
        if (wanted) {
          found = rawValue(p, bytes);
        } else {
          p.skipChildren();
        }
      }
      return found;
    }
  }

  /**
   * The text of string member {@code name} of a JSON object; null when it is absent or not a
   * string, or {@code object} is not a JSON object. Reads no tree.
   */
  public static String textMember(RawJson object, String name) {
    try {
      RawJson value = member(object, name);
      if (value == null) {
        return null;
      }
      try (JsonParser p = parser(value.bytes())) {
        return p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      }
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The whole answer to a parsed body: the top-level error, or one response per call in order
   * (invalid calls get their error, notifications nothing). Null when there is nothing to send.
   */
  public static byte[] answer(Body body, Function<JsonRpcRequest, RpcOutcome> handler) {
    return answerAsync(body, call -> CompletableFuture.completedFuture(handler.apply(call))).join();
  }

  /**
   * {@link #answer} with a handler that may answer later: the answer completes when the handlers'
   * futures do, without a thread waiting for them. A batch's calls run one after another, each when
   * the previous one is answered, so that they reach the engines in order.
   */
  public static CompletableFuture<byte[]> answerAsync(
      Body body, Function<JsonRpcRequest, CompletableFuture<RpcOutcome>> handler) {
    if (body.topLevelError() != null) {
      return CompletableFuture.completedFuture(response(RawJson.NULL, body.topLevelError()));
    }
    if (!body.batch()) {
      JsonRpcRequest call = body.calls().get(0);
      if (call.invalid() != null) {
        return CompletableFuture.completedFuture(response(call.id(), call.invalid()));
      }
      return handler
          .apply(call)
          .thenApply(outcome -> call.isNotification() ? null : response(call.id(), outcome));
    }
    // One call after another, each sent when the previous one is answered, so that they reach the
    // engines in order; no thread waits in between.
    List<byte[]> responses = new ArrayList<>(body.calls().size());
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (JsonRpcRequest call : body.calls()) {
      if (call.invalid() != null) {
        chain = chain.thenRun(() -> responses.add(response(call.id(), call.invalid())));
      } else {
        chain =
            chain
                .thenCompose(ignored -> handler.apply(call))
                .thenAccept(
                    outcome -> {
                      if (!call.isNotification()) {
                        responses.add(response(call.id(), outcome));
                      }
                    });
      }
    }
    return chain.thenApply(ignored -> batchResponse(responses));
  }

  /** A complete response object for one call. */
  public static byte[] response(RawJson id, RpcOutcome outcome) {
    RawJson replyId = id == null ? RawJson.NULL : id;
    byte[] member = outcome.isError() ? ERROR_MEMBER : RESULT_MEMBER;
    byte[] value = (outcome.isError() ? outcome.error() : outcome.result()).bytes();
    return concat(JSONRPC_PREFIX, replyId.bytes(), member, value, CLOSE);
  }

  /** A batch response array; an empty list yields null (nothing to send). */
  public static byte[] batchResponse(List<byte[]> responses) {
    if (responses.isEmpty()) {
      return null;
    }
    int size = 2 + responses.size();
    for (byte[] r : responses) {
      size += r.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < responses.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(responses.get(i));
    }
    out.write(']');
    return out.toByteArray();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** The parts one after another in one array of exactly their size. */
  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /** The body of an outbound call with our own numeric id; params are written as received. */
  public static byte[] request(long id, String method, RawJson params) {
    return concat(
        JSONRPC_PREFIX,
        Long.toString(id).getBytes(StandardCharsets.US_ASCII),
        METHOD_MEMBER,
        JsonStringEncoder.getInstance().quoteAsUTF8(method),
        params == null ? QUOTE_CLOSE : QUOTE_PARAMS_MEMBER,
        params == null ? NONE : params.bytes(),
        params == null ? NONE : CLOSE);
  }
}
