package io.rollupboost.upstream;

import io.rollupboost.auth.EngineJwt;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * JSON-RPC over HTTP to one upstream engine, with an Engine API JWT of the current second and a
 * hard whole-request deadline (Jetty's total timeout: a peer that trickles bytes cannot hold a
 * caller past it).
 *
 * <p>Non-blocking underneath: {@link #callAsync} holds no thread while the upstream works, which is
 * how every call is made except the health probe's, which waits for the same exchange with {@link
 * #call} on its own thread.
 */
public final class HttpEngineClient {
  private static final String ENGINE_PREFIX = "engine_";

  /** The tag that gives engine calls a connection pool of their own (a separate destination). */
  private static final String ENGINE_POOL = "engine";

  /**
   * Answers uncompressed, please. Jetty's client asks for gzip by default, and geth's and op-geth's
   * RPC and engine servers then gzip every answer: on loopback or a LAN that costs the upstream
   * milliseconds per megabyte of block to compress and this service more to inflate, on op-node's
   * path, and saves nothing. A compressed answer sent anyway is still decoded.
   */
  private static final HttpField IDENTITY_ONLY =
      new PreEncodedHttpField(HttpHeader.ACCEPT_ENCODING, "identity");

  /** How many times a call is sent again after a kept-alive connection closed unanswered. */
  private static final int RESENDS = 3;

  /** How long {@link #call} waits beyond the deadline for the client to report it. */
  private static final long REPORT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final UpstreamId id;
  private final URI url;
  private final EngineJwt jwt;
  private final Duration timeout;
  private final long maxResponseBytes;
  private final HttpClient http;
  private final EngineMetrics metrics;
  private final AtomicLong nextId = new AtomicLong();

  /** Answers are collected within the per-answer limit; no budget shared between them. */
  private final BoundedBody bodies;

  public HttpEngineClient(
      UpstreamId id,
      URI url,
      EngineJwt jwt,
      Duration timeout,
      long maxResponseBytes,
      HttpClient http,
      EngineMetrics metrics) {
    this.id = id;
    this.url = url;
    this.jwt = jwt;
    this.timeout = timeout;
    this.maxResponseBytes = maxResponseBytes;
    this.bodies = new BoundedBody(maxResponseBytes, Long.MAX_VALUE);
    this.http = http;
    this.metrics = metrics;
  }

  public UpstreamId id() {
    return id;
  }

  /** Calls {@code method} within this upstream's configured timeout. */
  public UpstreamReply call(String method, RawJson params) throws UpstreamException {
    return call(method, params, timeout.toNanos());
  }

  /** Calls {@code method} within the smaller of {@code budgetNanos} and the configured timeout. */
  public UpstreamReply call(String method, RawJson params, long budgetNanos)
      throws UpstreamException {
    return start(method, params, budgetNanos).await();
  }

  /**
   * The same call without holding the caller's thread: the future completes on the client's thread
   * with the reply, or exceptionally with an {@link UpstreamException}.
   */
  public CompletableFuture<UpstreamReply> callAsync(String method, RawJson params) {
    return callAsync(method, params, timeout.toNanos());
  }

  /** {@link #callAsync} within the smaller of {@code budgetNanos} and the configured timeout. */
  public CompletableFuture<UpstreamReply> callAsync(
      String method, RawJson params, long budgetNanos) {
    return start(method, params, budgetNanos).result;
  }

  private Exchange start(String method, RawJson params, long budgetNanos) {
    long budget = Math.min(budgetNanos, timeout.toNanos());
    long callId = nextId.incrementAndGet();
    Exchange exchange =
        new Exchange(method, callId, budget, JsonRpcCodec.request(callId, method, params));
    if (budget <= 0) {
      exchange.finish(
          fail(method, UpstreamException.Kind.TIMEOUT, "no time left before the deadline"));
      return exchange;
    }
    exchange.send(budget);
    return exchange;
  }

  /** One call in flight: collects the body within the size limit and completes the future. */
  private final class Exchange implements Response.Listener {
    final String method;
    final long callId;
    final long budget;
    final long startNanos = System.nanoTime();
    final CompletableFuture<UpstreamReply> result = new CompletableFuture<>();
    final byte[] payload;
    volatile Request request;
    private BoundedBody.Collector body;
    private boolean answered;
    private int resent;

    Exchange(String method, long callId, long budget, byte[] payload) {
      this.method = method;
      this.callId = callId;
      this.budget = budget;
      this.payload = payload;
    }

    void send(long budgetNanos) {
      Request next =
          http.newRequest(url)
              .method(HttpMethod.POST)
              .timeout(budgetNanos, TimeUnit.NANOSECONDS)
              .body(new BytesRequestContent("application/json", payload));
      if (method.startsWith(ENGINE_PREFIX)) {
        // Its own connection pool and queue: eth_ calls in flight or queued (slow eth_getLogs,
        // mirrored transactions) cannot make op-node's engine calls wait for a connection.
        next.tag(ENGINE_POOL);
      }
      String token = jwt == null ? null : "Bearer " + jwt.mint();
      next.headers(
          headers -> {
            headers.put(IDENTITY_ONLY);
            if (token != null) {
              headers.put(HttpHeader.AUTHORIZATION, token);
            }
          });
      request = next;
      next.send(this);
    }

    /**
     * Sends the call again when the upstream closed a kept-alive connection without answering a
     * byte: the race between reusing a pooled connection and the server closing it as idle (Node's
     * default keep-alive is 5 s). Up to {@link #RESENDS} times within the deadline, as the next
     * pooled connection may have been closed the same way. Engine calls are safe to repeat; at
     * worst a repeated eth_sendRawTransaction is answered "already known".
     */
    private boolean resendAfterClose(Throwable failure) {
      if (answered || resent >= RESENDS || !closedUnanswered(failure)) {
        return false;
      }
      long left = budget - (System.nanoTime() - startNanos);
      if (left <= 0) {
        return false;
      }
      resent++;
      send(left);
      return true;
    }

    @Override
    public void onBegin(Response response) {
      answered = true;
    }

    @Override
    public void onHeaders(Response response) {
      long declared = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
      try {
        body = bodies.collect(declared);
      } catch (BoundedBody.TooLargeException e) {
        // Refused before a byte of the body is read.
        response.abort(
            new BadStatusException(
                "response of " + declared + " bytes exceeds the limit of " + maxResponseBytes));
      }
    }

    @Override
    public void onContent(Response response, ByteBuffer content) {
      try {
        body.append(content);
      } catch (BoundedBody.TooLargeException | BoundedBody.OverBudgetException e) {
        response.abort(
            new BadStatusException("response exceeds the limit of " + maxResponseBytes + " bytes"));
      }
    }

    @Override
    public void onComplete(Result outcome) {
      try {
        complete(outcome);
      } catch (RuntimeException e) {
        // Jetty would log and drop it, and the caller would wait forever: the call fails instead.
        finish(fail(method, UpstreamException.Kind.BAD_RESPONSE, "unreadable answer: " + e));
      }
    }

    private void complete(Result outcome) {
      if (outcome.isFailed()) {
        if (body != null) {
          body.abandon();
        }
        if (resendAfterClose(outcome.getFailure())) {
          return;
        }
        finish(classify(method, outcome.getFailure(), budget));
        return;
      }
      byte[] bytes;
      try (BoundedBody.Body whole = body.finish()) {
        bytes = whole.bytes();
      }
      int status = outcome.getResponse().getStatus();
      // Some servers send JSON-RPC errors with a non-200 status; keep those, reject the rest.
      if (status != 200 && !looksLikeJsonObject(bytes)) {
        finish(
            fail(
                method,
                UpstreamException.Kind.BAD_RESPONSE,
                "HTTP " + status + ": " + printable(bytes)));
        return;
      }
      UpstreamReply reply;
      try {
        reply = UpstreamReply.parse(bytes, callId);
      } catch (IllegalArgumentException e) {
        finish(fail(method, UpstreamException.Kind.BAD_RESPONSE, e.getMessage()));
        return;
      }
      // Timed before completing: the caller's continuation (answering op-node, and whatever runs
      // on this thread after that) runs inside complete().
      long took = System.nanoTime() - startNanos;
      AfterCompletion.run(
          () -> {
            if (result.complete(reply)) {
              metrics.upstreamCall(id, method, took, null);
            }
          });
    }

    /** The reply, once the call completes or its deadline passes. */
    UpstreamReply await() throws UpstreamException {
      try {
        return result.get(budget + REPORT_GRACE_NANOS, TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UpstreamException failure) {
          throw failure;
        }
        throw finish(fail(method, UpstreamException.Kind.BAD_RESPONSE, e.toString()));
      } catch (TimeoutException e) {
        abort(e);
        throw finish(timedOut(method, budget));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort(e);
        throw finish(fail(method, UpstreamException.Kind.TIMEOUT, "interrupted"));
      }
    }

    void abort(Throwable cause) {
      Request pending = request;
      if (pending != null) {
        pending.abort(cause);
      }
    }

    /** Completes the call with {@code failure} (first outcome wins) and returns it. */
    UpstreamException finish(UpstreamException failure) {
      long took = System.nanoTime() - startNanos;
      AfterCompletion.run(
          () -> {
            if (result.completeExceptionally(failure)) {
              metrics.upstreamCall(id, method, took, failure);
            }
          });
      return failure;
    }
  }

  /** A connection the peer closed (or reset) before any answer, rather than a timeout or abort. */
  private static boolean closedUnanswered(Throwable failure) {
    return failure instanceof EOFException
        || failure instanceof ClosedChannelException
        || (failure instanceof IOException io
            && !(failure instanceof BadStatusException)
            && String.valueOf(io.getMessage()).matches("(?i).*(broken pipe|connection reset).*"));
  }

  private static boolean looksLikeJsonObject(byte[] body) {
    for (byte b : body) {
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return false;
  }

  /** At most 120 printable characters of an unexpected body, for error messages. */
  private static String printable(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
    return text.replaceAll("[^\\x20-\\x7e]+", " ").strip();
  }

  private UpstreamException classify(String method, Throwable e, long budget) {
    if (e instanceof TimeoutException) {
      return timedOut(method, budget);
    }
    if (e instanceof BadStatusException) {
      return fail(method, UpstreamException.Kind.BAD_RESPONSE, e.getMessage());
    }
    if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException) {
      return fail(method, UpstreamException.Kind.UNREACHABLE, "unknown host " + url.getHost());
    }
    if (e instanceof SocketTimeoutException) {
      return fail(
          method, UpstreamException.Kind.UNREACHABLE, "connect timed out to " + authority());
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return fail(
          method, UpstreamException.Kind.UNREACHABLE, "connection refused by " + authority());
    }
    if (e instanceof EOFException) {
      return fail(
          method, UpstreamException.Kind.BAD_RESPONSE, "connection closed before a full answer");
    }
    return fail(
        method,
        UpstreamException.Kind.BAD_RESPONSE,
        "transport error: "
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + e.getMessage()));
  }

  private UpstreamException timedOut(String method, long budget) {
    return fail(
        method,
        UpstreamException.Kind.TIMEOUT,
        "no complete answer within " + TimeUnit.NANOSECONDS.toMillis(budget) + " ms");
  }

  private String authority() {
    return url.getHost() + ":" + url.getPort();
  }

  private UpstreamException fail(String method, UpstreamException.Kind kind, String detail) {
    return new UpstreamException(id, method, kind, detail);
  }

  /** A response that is not usable as JSON-RPC (status, size); never retried. */
  private static final class BadStatusException extends IOException {
    private static final long serialVersionUID = 1L;

    BadStatusException(String message) {
      super(message);
    }
  }
}
