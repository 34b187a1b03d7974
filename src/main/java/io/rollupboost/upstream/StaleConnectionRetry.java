package io.rollupboost.upstream;

import java.io.IOException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * Retries a call when a pooled keep-alive connection turned out to be closed by the peer before it
 * answered (typical after an upstream restart, when every idle connection in the pool is dead; each
 * failed one is discarded). At most {@link #MAX_STALE_RETRIES} times, always within the caller's
 * deadline. Nothing else is retried: whether to repeat an engine call is a policy decision, not a
 * transport one.
 */
public final class StaleConnectionRetry implements HttpRequestRetryStrategy {
  public static final int MAX_STALE_RETRIES = 4;

  @Override
  public boolean retryRequest(
      HttpRequest request, IOException exception, int execCount, HttpContext context) {
    return execCount <= MAX_STALE_RETRIES && exception instanceof NoHttpResponseException;
  }

  @Override
  public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
    return false;
  }

  @Override
  public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
    return TimeValue.ZERO_MILLISECONDS;
  }
}
