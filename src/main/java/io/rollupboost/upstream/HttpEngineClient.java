package io.rollupboost.upstream;

import io.rollupboost.auth.EngineJwt;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * JSON-RPC over HTTP to one upstream engine, with an Engine API JWT of the current second and a
 * hard whole-request deadline: the {@link DeadlineWatchdog} aborts the exchange when the deadline
 * passes, so a peer that trickles bytes cannot hold a caller past it.
 */
public final class HttpEngineClient {
  private final UpstreamId id;
  private final URI url;
  private final EngineJwt jwt;
  private final Duration timeout;
  private final long maxResponseBytes;
  private final CloseableHttpClient http;
  private final DeadlineWatchdog deadlines;
  private final EngineMetrics metrics;
  private final AtomicLong nextId = new AtomicLong();
  private final BoundedBody bodies;

  public HttpEngineClient(
      UpstreamId id,
      URI url,
      EngineJwt jwt,
      Duration timeout,
      long maxResponseBytes,
      CloseableHttpClient http,
      DeadlineWatchdog deadlines,
      EngineMetrics metrics) {
    this.id = id;
    this.url = url;
    this.jwt = jwt;
    this.timeout = timeout;
    this.maxResponseBytes = maxResponseBytes;
    this.bodies = new BoundedBody(maxResponseBytes, Long.MAX_VALUE);
    this.http = http;
    this.deadlines = deadlines;
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
    long start = System.nanoTime();
    long budget = Math.min(budgetNanos, timeout.toNanos());
    UpstreamException failure = null;
    try {
      if (budget <= 0) {
        failure = fail(method, UpstreamException.Kind.TIMEOUT, "no time left before the deadline");
        throw failure;
      }
      long callId = nextId.incrementAndGet();
      HttpPost post = new HttpPost(url);
      post.setEntity(
          new ByteArrayEntity(
              JsonRpcCodec.request(callId, method, params), ContentType.APPLICATION_JSON));
      if (jwt != null) {
        post.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + jwt.mint());
      }
      DeadlineWatchdog.Guard guard = deadlines.watch(start + budget, post);
      try {
        byte[] body = http.execute(post, this::readBody);
        return UpstreamReply.parse(body, callId);
      } catch (IllegalArgumentException e) {
        failure = fail(method, UpstreamException.Kind.BAD_RESPONSE, e.getMessage());
      } catch (IOException | RuntimeException e) {
        failure = classify(method, e, guard.expired(), budget);
      } finally {
        guard.close();
      }
      throw failure;
    } finally {
      metrics.upstreamCall(id, method, System.nanoTime() - start, failure);
    }
  }

  private byte[] readBody(ClassicHttpResponse response) throws IOException {
    HttpEntity entity = response.getEntity();
    byte[] body = entity == null ? new byte[0] : readLimited(entity);
    int status = response.getCode();
    if (status != 200) {
      // Some servers send JSON-RPC errors with a non-200 status; keep those, reject the rest.
      if (looksLikeJsonObject(body)) {
        return body;
      }
      throw new BadStatusException("HTTP " + status + ": " + printable(body));
    }
    return body;
  }

  private byte[] readLimited(HttpEntity entity) throws IOException {
    long declared = entity.getContentLength();
    if (declared > maxResponseBytes) {
      // Refused before the body stream is even opened.
      throw new BadStatusException(
          "response of " + declared + " bytes exceeds the limit of " + maxResponseBytes);
    }
    try (InputStream in = entity.getContent();
        BoundedBody.Body body = bodies.read(in, declared)) {
      return body.bytes();
    } catch (BoundedBody.TooLargeException e) {
      throw new BadStatusException("response exceeds the limit of " + maxResponseBytes + " bytes");
    }
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

  private UpstreamException classify(String method, Exception e, boolean expired, long budget) {
    if (expired) {
      return fail(
          method,
          UpstreamException.Kind.TIMEOUT,
          "no complete answer within " + TimeUnit.NANOSECONDS.toMillis(budget) + " ms");
    }
    if (e instanceof BadStatusException) {
      return fail(method, UpstreamException.Kind.BAD_RESPONSE, e.getMessage());
    }
    if (e instanceof UnknownHostException) {
      return fail(method, UpstreamException.Kind.UNREACHABLE, "unknown host " + url.getHost());
    }
    if (e instanceof ConnectTimeoutException) {
      return fail(
          method, UpstreamException.Kind.UNREACHABLE, "connect timed out to " + authority());
    }
    if (e instanceof HttpHostConnectException
        || e instanceof ConnectException
        || e instanceof NoRouteToHostException) {
      return fail(
          method, UpstreamException.Kind.UNREACHABLE, "connection refused by " + authority());
    }
    if (e instanceof InterruptedIOException) {
      return fail(method, UpstreamException.Kind.TIMEOUT, "timed out: " + e.getMessage());
    }
    return fail(
        method,
        UpstreamException.Kind.BAD_RESPONSE,
        "transport error: "
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + e.getMessage()));
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
