package io.rollupboost.rpc;

import io.rollupboost.auth.EngineJwt;
import io.rollupboost.engine.EngineMultiplexer;
import io.rollupboost.metrics.EngineMetrics;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC front door ({@code POST /}): reads the body as bytes within a size limit, answers
 * every call with a JSON-RPC response object, and hands valid calls to the multiplexer in order.
 */
@Path("/")
public final class JsonRpcResource {
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcResource.class);

  private final JsonRpcCodec codec;
  private final EngineMultiplexer multiplexer;
  private final EngineJwt inboundJwt;
  private final long maxRequestBytes;
  private final EngineMetrics metrics;

  /**
   * @param inboundJwt verifies op-node's token on {@code engine_*} calls; null to accept all
   */
  public JsonRpcResource(
      JsonRpcCodec codec,
      EngineMultiplexer multiplexer,
      EngineJwt inboundJwt,
      long maxRequestBytes,
      EngineMetrics metrics) {
    this.codec = codec;
    this.multiplexer = multiplexer;
    this.inboundJwt = inboundJwt;
    this.maxRequestBytes = maxRequestBytes;
    this.metrics = metrics;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Response call(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      InputStream in) {
    byte[] body;
    try {
      body = readLimited(in, contentLength);
    } catch (TooLargeException e) {
      metrics.rejected("too_large");
      return reply(
          Response.Status.REQUEST_ENTITY_TOO_LARGE,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(
                  JsonRpcError.REQUEST_TOO_LARGE,
                  "request body exceeds the limit of " + maxRequestBytes + " bytes")));
    } catch (IOException e) {
      metrics.rejected("unreadable");
      LOG.debug("request body could not be read: {}", e.toString());
      return reply(
          Response.Status.BAD_REQUEST,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(JsonRpcError.PARSE_ERROR, "request body could not be read")));
    }
    JsonRpcCodec.Body parsed = codec.parse(body);
    if (parsed.topLevelError() != null) {
      metrics.rejected("parse_error");
      return reply(Response.Status.OK, JsonRpcCodec.response(RawJson.NULL, parsed.topLevelError()));
    }
    String authProblem = authenticate(parsed.calls(), authorization);
    if (authProblem != null) {
      metrics.rejected("unauthorized");
      RawJson id = parsed.batch() ? RawJson.NULL : parsed.calls().get(0).id();
      return reply(
          Response.Status.UNAUTHORIZED,
          JsonRpcCodec.response(
              id, RpcOutcome.error(JsonRpcError.UNAUTHORIZED, "unauthorized: " + authProblem)));
    }
    for (JsonRpcRequest call : parsed.calls()) {
      if (call.invalid() != null) {
        metrics.rejected("invalid_request");
      }
    }
    byte[] out = JsonRpcCodec.answer(parsed, multiplexer::handle);
    return out == null ? Response.noContent().build() : reply(Response.Status.OK, out);
  }

  /** Null when the calls may proceed; otherwise why the engine calls among them are refused. */
  private String authenticate(List<JsonRpcRequest> calls, String authorization) {
    if (inboundJwt == null) {
      return null;
    }
    for (JsonRpcRequest call : calls) {
      if (call.method() != null && call.method().startsWith("engine_")) {
        return inboundJwt.verify(authorization);
      }
    }
    return null;
  }

  private byte[] readLimited(InputStream in, String contentLength) throws IOException {
    if (contentLength != null) {
      try {
        if (Long.parseLong(contentLength.strip()) > maxRequestBytes) {
          throw new TooLargeException();
        }
      } catch (NumberFormatException e) {
        // Jetty rejects malformed Content-Length before we get here; ignore defensively.
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      if (total > maxRequestBytes) {
        throw new TooLargeException();
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static Response reply(Response.Status status, byte[] body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }

  private static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }
}
