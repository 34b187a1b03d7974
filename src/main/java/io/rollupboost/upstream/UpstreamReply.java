package io.rollupboost.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.auth.Redaction;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.rpc.RpcOutcome;
import java.io.IOException;
import java.math.BigDecimal;

/** A JSON-RPC answer from an upstream: its raw {@code result} or its raw {@code error} object. */
public record UpstreamReply(RpcOutcome outcome) {

  public boolean isError() {
    return outcome.isError();
  }

  public RawJson result() {
    return outcome.result();
  }

  /** A short description of an error reply for logs and health details, credentials redacted. */
  public String errorSummary() {
    if (!isError()) {
      return "";
    }
    try {
      JsonNode node = JsonRpcCodec.MAPPER.readTree(outcome.error().bytes());
      return Redaction.redact(node.path("code").asText() + " " + node.path("message").asText());
    } catch (IOException e) {
      return "unparseable error";
    }
  }

  /**
   * Whether the parser sits on a JSON number equal to {@code expected} ({@code 7}, {@code 7.0} and
   * {@code 7e0} all do); read without data binding, since every answer passes here.
   */
  private static boolean isNumber(JsonParser p, long expected) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_NUMBER_INT) {
      return p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && p.getLongValue() == expected;
    }
    if (token == JsonToken.VALUE_NUMBER_FLOAT) {
      BigDecimal value = p.getDecimalValue();
      return value.compareTo(BigDecimal.valueOf(expected)) == 0;
    }
    return false;
  }

  /**
   * Parses a response body. Fails unless it is a JSON object carrying our {@code id} and exactly
   * one of {@code result} / {@code error} (an object).
   *
   * @throws IllegalArgumentException with a short reason when the body is not such a response
   */
  static UpstreamReply parse(byte[] body, long expectedId) {
    try (JsonParser p = JsonRpcCodec.parser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("response is not a JSON object");
      }
      RawJson result = null;
      RawJson error = null;
      RawJson id = null;
      boolean idMatches = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "result" -> result = JsonRpcCodec.rawValue(p, body);
          case "error" -> {
            if (value != JsonToken.START_OBJECT) {
              if (value == JsonToken.VALUE_NULL) {
                continue;
              }
              throw new IllegalArgumentException("error member is not an object");
            }
            error = JsonRpcCodec.rawValue(p, body);
          }
          case "id" -> {
            idMatches = isNumber(p, expectedId);
            id = JsonRpcCodec.rawValue(p, body);
          }
          default -> p.skipChildren();
        }
      }
      if (!idMatches) {
        throw new IllegalArgumentException(
            "response id "
                + (id == null ? "missing" : id.toString())
                + " does not match request id "
                + expectedId);
      }
      if (error != null) {
        return new UpstreamReply(RpcOutcome.error(error));
      }
      if (result == null) {
        throw new IllegalArgumentException("response has neither result nor error");
      }
      return new UpstreamReply(RpcOutcome.result(result));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "response is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("response could not be read: " + e.getMessage(), e);
    }
  }
}
