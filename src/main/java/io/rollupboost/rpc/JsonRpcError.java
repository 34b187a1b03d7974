package io.rollupboost.rpc;

/** Standard JSON-RPC 2.0 error codes used by the front door. */
public final class JsonRpcError {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;

  /** Server-defined range: the request was refused before it reached an upstream. */
  public static final int UNAUTHORIZED = -32000;

  public static final int REQUEST_TOO_LARGE = -32001;

  private JsonRpcError() {}
}
