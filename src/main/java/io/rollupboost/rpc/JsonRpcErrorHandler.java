package io.rollupboost.rpc;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages (malformed HTTP, bad Content-Length, oversized headers) as JSON-RPC error
 * objects instead of HTML, so a JSON-RPC client always gets something it can parse.
 */
public final class JsonRpcErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  static byte[] body(int status, String reason) {
    String message = "HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + reason);
    int code = status >= 500 ? JsonRpcError.INTERNAL_ERROR : JsonRpcError.INVALID_REQUEST;
    return JsonRpcCodec.response(RawJson.NULL, RpcOutcome.error(code, message));
  }
}
