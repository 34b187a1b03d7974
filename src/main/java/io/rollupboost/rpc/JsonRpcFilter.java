package io.rollupboost.rpc;

import io.rollupboost.auth.EngineJwt;
import io.rollupboost.engine.EngineMultiplexer;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.BoundedBody;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC front door ({@code POST /}), answered in the servlet filter chain ahead of Jersey:
 * reads the body as bytes within a size limit, answers every call with a JSON-RPC response object,
 * and hands valid calls to the multiplexer in order. Every other method on {@code /} gets 405 with
 * a JSON-RPC error; every other path goes on to Jersey.
 *
 * <p>A filter rather than a Jersey resource because op-node calls it four times per block and
 * Jersey's routing, injection and response pipeline cost more than the rest of the hop together.
 */
public final class JsonRpcFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcFilter.class);

  private final JsonRpcCodec codec;
  private final EngineMultiplexer multiplexer;
  private final EngineJwt inboundJwt;
  private final BoundedBody bodies;
  private final EngineMetrics metrics;

  /**
   * @param inboundJwt verifies op-node's token on {@code engine_*} calls; null to accept all
   */
  public JsonRpcFilter(
      JsonRpcCodec codec,
      EngineMultiplexer multiplexer,
      EngineJwt inboundJwt,
      long maxRequestBytes,
      EngineMetrics metrics) {
    this.codec = codec;
    this.multiplexer = multiplexer;
    this.inboundJwt = inboundJwt;
    // Request bodies being read at once may hold a quarter of the heap; beyond that the service
    // answers 503 instead of running out of memory (which would stop it for op-node too).
    this.bodies = new BoundedBody(maxRequestBytes, Runtime.getRuntime().maxMemory() / 4);
    this.metrics = metrics;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    if (!"/".equals(http.getRequestURI())) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletResponse out = (HttpServletResponse) response;
    if (!"POST".equals(http.getMethod())) {
      out.setHeader("Allow", "POST");
      write(
          out,
          HttpServletResponse.SC_METHOD_NOT_ALLOWED,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(
                  JsonRpcError.INVALID_REQUEST, "JSON-RPC is served with POST on this path")));
      return;
    }
    answer(http, out);
  }

  private void answer(HttpServletRequest request, HttpServletResponse out) throws IOException {
    BoundedBody.Body body;
    try {
      body = bodies.read(request.getInputStream(), request.getContentLengthLong());
    } catch (BoundedBody.TooLargeException e) {
      metrics.rejected("too_large");
      unreadBodyCloses(out);
      write(
          out,
          HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(
                  JsonRpcError.REQUEST_TOO_LARGE,
                  "request body exceeds the limit of " + bodies.limit() + " bytes")));
      return;
    } catch (BoundedBody.OverBudgetException e) {
      metrics.rejected("busy");
      LOG.warn("request refused: {}", e.getMessage());
      unreadBodyCloses(out);
      out.setHeader("Retry-After", "1");
      write(
          out,
          HttpServletResponse.SC_SERVICE_UNAVAILABLE,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(JsonRpcError.REQUEST_TOO_LARGE, "server busy: " + e.getMessage())));
      return;
    } catch (IOException e) {
      metrics.rejected("unreadable");
      LOG.debug("request body could not be read: {}", e.toString());
      write(
          out,
          HttpServletResponse.SC_BAD_REQUEST,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(JsonRpcError.PARSE_ERROR, "request body could not be read")));
      return;
    }
    try (body) {
      answer(body.bytes(), request, out);
    }
  }

  private void answer(byte[] body, HttpServletRequest request, HttpServletResponse out)
      throws IOException {
    JsonRpcCodec.Body parsed = codec.parse(body);
    if (parsed.topLevelError() != null) {
      metrics.rejected("parse_error");
      write(
          out,
          HttpServletResponse.SC_OK,
          JsonRpcCodec.response(RawJson.NULL, parsed.topLevelError()));
      return;
    }
    String authProblem = authenticate(parsed.calls(), request.getHeader("Authorization"));
    if (authProblem != null) {
      metrics.rejected("unauthorized");
      RawJson id = parsed.batch() ? RawJson.NULL : parsed.calls().get(0).id();
      write(
          out,
          HttpServletResponse.SC_UNAUTHORIZED,
          JsonRpcCodec.response(
              id, RpcOutcome.error(JsonRpcError.UNAUTHORIZED, "unauthorized: " + authProblem)));
      return;
    }
    for (JsonRpcRequest call : parsed.calls()) {
      if (call.invalid() != null) {
        metrics.rejected("invalid_request");
      }
    }
    byte[] reply = JsonRpcCodec.answer(parsed, multiplexer::handle);
    if (reply == null) {
      out.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    write(out, HttpServletResponse.SC_OK, reply);
  }

  /**
   * The rest of a refused body is never read, so the connection cannot carry another request: say
   * so, rather than leave the client to find a closed socket on its next call.
   */
  private static void unreadBodyCloses(HttpServletResponse out) {
    out.setHeader("Connection", "close");
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

  private static void write(HttpServletResponse out, int status, byte[] body) throws IOException {
    out.setStatus(status);
    out.setContentType("application/json");
    out.setContentLength(body.length);
    out.getOutputStream().write(body);
  }
}
