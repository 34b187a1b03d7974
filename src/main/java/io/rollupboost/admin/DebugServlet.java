package io.rollupboost.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.JsonRpcError;
import io.rollupboost.rpc.JsonRpcRequest;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.rpc.RpcOutcome;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /debug} on the admin port: the reference's debug JSON-RPC, {@code
 * debug_setExecutionMode([{"execution_mode":"…"}])} and {@code debug_getExecutionMode()}, both
 * answering {@code {"execution_mode":"…"}}.
 */
public final class DebugServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final int MAX_BODY = 64 * 1024;

  private final transient ExecutionModeHolder modes;
  private final transient JsonRpcCodec codec = new JsonRpcCodec(16);

  public DebugServlet(ExecutionModeHolder modes) {
    this.modes = modes;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    byte[] out;
    if (body.length > MAX_BODY) {
      out =
          JsonRpcCodec.response(
              RawJson.NULL, RpcOutcome.error(JsonRpcError.REQUEST_TOO_LARGE, "request too large"));
    } else {
      out = JsonRpcCodec.answer(codec.parse(body), this::handle);
    }
    if (out == null) {
      response.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.getOutputStream().write(out);
  }

  private RpcOutcome handle(JsonRpcRequest call) {
    switch (call.method()) {
      case "debug_getExecutionMode":
        return modeResult(modes.get());
      case "debug_setExecutionMode":
        ExecutionMode next;
        try {
          JsonNode params = JsonRpcCodec.MAPPER.readTree(call.paramsOrEmpty().bytes());
          JsonNode first = params.isArray() ? params.path(0) : params;
          JsonNode value = first.isTextual() ? first : first.path("execution_mode");
          if (!value.isTextual()) {
            return RpcOutcome.error(
                JsonRpcError.INVALID_PARAMS,
                "expected params [{\"execution_mode\":\"" + String.join("|", names()) + "\"}]");
          }
          next = ExecutionMode.parse(value.asText());
        } catch (IOException | IllegalArgumentException e) {
          return RpcOutcome.error(JsonRpcError.INVALID_PARAMS, e.getMessage());
        }
        try {
          modes.set(next, "debug_setExecutionMode");
        } catch (ExecutionModeHolder.IncompleteChange notPersisted) {
          // In force all the same, and the holder logged the failure at ERROR: the answer states
          // the resulting mode.
        }
        return modeResult(next);
      default:
        return RpcOutcome.error(
            JsonRpcError.METHOD_NOT_FOUND,
            "the method " + call.method() + " does not exist/is not available");
    }
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (ExecutionMode m : ExecutionMode.values()) {
      names.add(m.wire());
    }
    return names;
  }

  private static RpcOutcome modeResult(ExecutionMode mode) {
    return RpcOutcome.result(
        RawJson.wrap(
            ("{\"execution_mode\":\"" + mode.wire() + "\"}").getBytes(StandardCharsets.UTF_8)));
  }
}
