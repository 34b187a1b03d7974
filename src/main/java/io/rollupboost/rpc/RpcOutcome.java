package io.rollupboost.rpc;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What one JSON-RPC call answers: exactly one of a raw {@code result} or a raw {@code error}
 * object. Upstream values are kept as bytes so they reach the caller unchanged.
 */
public record RpcOutcome(RawJson result, RawJson error) {

  public static RpcOutcome result(RawJson result) {
    return new RpcOutcome(result, null);
  }

  public static RpcOutcome error(RawJson error) {
    return new RpcOutcome(null, error);
  }

  /** A locally generated error object. */
  public static RpcOutcome error(int code, String message) {
    char[] quoted = JsonStringEncoder.getInstance().quoteAsString(message);
    return error(
        RawJson.wrap(
            ("{\"code\":" + code + ",\"message\":\"" + new String(quoted) + "\"}")
                .getBytes(StandardCharsets.UTF_8)));
  }

  public boolean isError() {
    return error != null;
  }
}
