package io.rollupboost.rpc;

/**
 * One parsed JSON-RPC call. {@code id} is null for a notification; {@code params} is null when
 * absent. {@code invalid} holds the error for an element that is not a valid request.
 */
public record JsonRpcRequest(RawJson id, String method, RawJson params, RpcOutcome invalid) {

  public static JsonRpcRequest call(RawJson id, String method, RawJson params) {
    return new JsonRpcRequest(id, method, params, null);
  }

  public static JsonRpcRequest invalid(RawJson id, int code, String message) {
    return new JsonRpcRequest(
        id == null ? RawJson.NULL : id, null, null, RpcOutcome.error(code, message));
  }

  public boolean isNotification() {
    return id == null;
  }

  public RawJson paramsOrEmpty() {
    return params == null ? RawJson.EMPTY_ARRAY : params;
  }
}
