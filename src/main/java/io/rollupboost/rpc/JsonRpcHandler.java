package io.rollupboost.rpc;

import io.rollupboost.auth.EngineJwt;
import io.rollupboost.engine.EngineMultiplexer;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.BoundedBody;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC front door ({@code POST /} on the application port; {@link FrontDoorRouting} sends
 * it here): reads the body as it arrives within a size limit, answers every call with a JSON-RPC
 * response object, and hands valid calls to the multiplexer in order. Every other method on {@code
 * /} gets 405 with a JSON-RPC error.
 *
 * <p>Never blocks: it runs on the thread that read the request (usually Jetty's selector, so a call
 * from op-node wakes no worker thread), and answers when the multiplexer's future completes, on the
 * upstream client's thread that received the last answer needed. Only bodies too large to parse in
 * passing go to the server's pool. Not a servlet because op-node calls it four times per block and
 * the servlet and Jersey pipelines cost more than the rest of the hop together.
 */
public final class JsonRpcHandler implements Request.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcHandler.class);

  /**
   * The most of a refused body read (and dropped) before answering; beyond it, answer and close.
   */
  static final long DRAIN_LIMIT = 64L << 20;

  /** Bodies up to this size are parsed on the thread that read them; larger ones on the pool. */
  static final int INLINE_BODY_LIMIT = 256 << 10;

  private final JsonRpcCodec codec;
  private final EngineMultiplexer multiplexer;
  private final EngineJwt inboundJwt;
  private final BoundedBody bodies;
  private final EngineMetrics metrics;
  private final Executor pool;

  /**
   * @param inboundJwt verifies op-node's token on {@code engine_*} calls; null to accept all
   * @param pool parses the bodies above {@link #INLINE_BODY_LIMIT}, off the selector thread
   */
  public JsonRpcHandler(
      JsonRpcCodec codec,
      EngineMultiplexer multiplexer,
      EngineJwt inboundJwt,
      long maxRequestBytes,
      EngineMetrics metrics,
      Executor pool) {
    this.codec = codec;
    this.multiplexer = multiplexer;
    this.inboundJwt = inboundJwt;
    // Request bodies being read at once may hold a quarter of the heap; beyond that the service
    // answers 503 instead of running out of memory (which would stop it for op-node too).
    this.bodies = new BoundedBody(maxRequestBytes, Runtime.getRuntime().maxMemory() / 4);
    this.metrics = metrics;
    this.pool = pool;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      send(
          response,
          callback,
          HttpStatus.METHOD_NOT_ALLOWED_405,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(
                  JsonRpcError.INVALID_REQUEST, "JSON-RPC is served with POST on this path")));
      return true;
    }
    Exchange exchange = new Exchange(request, response, callback);
    try {
      exchange.collector = bodies.collect(request.getLength());
    } catch (BoundedBody.TooLargeException e) {
      exchange.refuse(() -> tooLarge(response, callback));
    }
    exchange.run();
    return true;
  }

  /**
   * One request: its body is read as chunks arrive (this runs again on each demand), then answered.
   */
  private final class Exchange implements Runnable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private BoundedBody.Collector collector;

    /** The refusal to send once the refused body is drained; null while the body is collected. */
    private Runnable refusal;

    private long drained;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
    }

    /**
     * Refuses the body: the rest of it is read and dropped (up to {@link #DRAIN_LIMIT} bytes), then
     * {@code answer} runs. Answering at once and closing would leave the client writing into a
     * closed socket, whose reset can destroy the answer before the client reads it.
     */
    void refuse(Runnable answer) {
      if (collector != null) {
        collector.abandon();
        collector = null;
      }
      refusal = answer;
    }

    @Override
    public void run() {
      try {
        readAndAnswer();
      } catch (RuntimeException e) {
        // Jetty's error handler answers with a JSON-RPC error; the connection is not left waiting.
        LOG.error("unexpected failure answering a JSON-RPC request", e);
        callback.failed(e);
      }
    }

    private void readAndAnswer() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          if (refusal != null) {
            refusal.run();
          } else {
            collector.abandon();
            unreadable(chunk.getFailure());
          }
          return;
        }
        boolean last = chunk.isLast();
        try {
          if (refusal != null) {
            drained += chunk.remaining();
            if (last || drained > DRAIN_LIMIT) {
              refusal.run();
              return;
            }
            continue;
          }
          collector.append(chunk.getByteBuffer());
        } catch (BoundedBody.TooLargeException e) {
          refuse(() -> tooLarge(response, callback));
          continue;
        } catch (BoundedBody.OverBudgetException e) {
          refuse(
              () -> {
                unreadBodyCloses(response);
                busy(callback, JsonRpcError.REQUEST_TOO_LARGE, e.getMessage());
              });
          continue;
        } finally {
          chunk.release();
        }
        if (last) {
          BoundedBody.Body body = collector.finish();
          Callback done = Callback.from(callback, body::close);
          if (body.bytes().length <= INLINE_BODY_LIMIT) {
            answer(body.bytes(), done);
          } else {
            // Parsing megabytes takes milliseconds: not on a thread other connections wait for.
            elsewhere(done, () -> answer(body.bytes(), done));
          }
          return;
        }
      }
    }

    private void unreadable(Throwable failure) {
      metrics.rejected("unreadable");
      LOG.debug("request body could not be read: {}", String.valueOf(failure));
      send(
          response,
          callback,
          HttpStatus.BAD_REQUEST_400,
          JsonRpcCodec.response(
              RawJson.NULL,
              RpcOutcome.error(JsonRpcError.PARSE_ERROR, "request body could not be read")));
    }

    /** 503 with Retry-After: the service cannot take this request now, through no fault of it. */
    private void busy(Callback done, int code, String why) {
      metrics.rejected("busy");
      LOG.warn("request refused: {}", why);
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      send(
          response,
          done,
          HttpStatus.SERVICE_UNAVAILABLE_503,
          JsonRpcCodec.response(RawJson.NULL, RpcOutcome.error(code, "server busy: " + why)));
    }

    /** Answers {@code body}; whatever goes wrong, {@code done} completes (and frees the body). */
    private void answer(byte[] body, Callback done) {
      try {
        parseAndAnswer(body, done);
      } catch (RuntimeException e) {
        LOG.error("unexpected failure answering a JSON-RPC request", e);
        done.failed(e);
      }
    }

    private void parseAndAnswer(byte[] body, Callback done) {
      JsonRpcCodec.Body parsed = codec.parse(body);
      if (parsed.topLevelError() != null) {
        metrics.rejected("parse_error");
        send(
            response,
            done,
            HttpStatus.OK_200,
            JsonRpcCodec.response(RawJson.NULL, parsed.topLevelError()));
        return;
      }
      String authProblem =
          authenticate(parsed.calls(), request.getHeaders().get(HttpHeader.AUTHORIZATION));
      if (authProblem != null) {
        metrics.rejected("unauthorized");
        RawJson id = parsed.batch() ? RawJson.NULL : parsed.calls().get(0).id();
        send(
            response,
            done,
            HttpStatus.UNAUTHORIZED_401,
            JsonRpcCodec.response(
                id, RpcOutcome.error(JsonRpcError.UNAUTHORIZED, "unauthorized: " + authProblem)));
        return;
      }
      for (JsonRpcRequest call : parsed.calls()) {
        if (call.invalid() != null) {
          metrics.rejected("invalid_request");
        }
      }
      respond(parsed, done);
    }

    /** Runs {@code work} on the pool; when no thread can take it, answers 503. */
    private void elsewhere(Callback done, Runnable work) {
      try {
        pool.execute(work);
      } catch (RejectedExecutionException e) {
        busy(done, JsonRpcError.INTERNAL_ERROR, "no thread free");
      }
    }

    private void respond(JsonRpcCodec.Body parsed, Callback done) {
      JsonRpcCodec.answerAsync(parsed, multiplexer::handleAsync)
          .whenComplete(
              (reply, failure) -> {
                if (failure != null) {
                  LOG.error("unexpected failure answering a JSON-RPC request", failure);
                  done.failed(failure);
                } else if (reply == null) {
                  noContent(response, done);
                } else {
                  send(response, done, HttpStatus.OK_200, reply);
                }
              });
    }
  }

  private void tooLarge(Response response, Callback callback) {
    metrics.rejected("too_large");
    unreadBodyCloses(response);
    send(
        response,
        callback,
        HttpStatus.PAYLOAD_TOO_LARGE_413,
        JsonRpcCodec.response(
            RawJson.NULL,
            RpcOutcome.error(
                JsonRpcError.REQUEST_TOO_LARGE,
                "request body exceeds the limit of " + bodies.limit() + " bytes")));
  }

  /**
   * A refused body may not have been read to its end (beyond {@link #DRAIN_LIMIT}), so the
   * connection does not carry another request: say so, rather than leave the client to find a
   * closed socket on its next call.
   */
  private static void unreadBodyCloses(Response response) {
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
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

  private static void noContent(Response response, Callback callback) {
    response.setStatus(HttpStatus.NO_CONTENT_204);
    callback.succeeded();
  }

  private static void send(Response response, Callback callback, int status, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
