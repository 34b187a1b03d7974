package io.rollupboost.config;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.DeadlineWatchdog;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.StaleConnectionRetry;
import io.rollupboost.upstream.UpstreamId;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * One upstream engine ({@code l2:} or {@code builder:}): where it is, its JWT secret and its
 * deadlines. {@code payloadDeadline} and {@code syncQueueSize} only matter for the builder.
 */
public record UpstreamFactory(
    @NotNull(message = "is required") @HttpUrl URI url,
    @NotNull(message = "is required") @SecretFile String jwtSecretFile,
    @NotNull
        @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
        @MaxDuration(value = 5, unit = TimeUnit.MINUTES)
        Duration timeout,
    @NotNull @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS) Duration connectTimeout,
    @NotNull
        @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
        @MaxDuration(value = 5, unit = TimeUnit.MINUTES)
        Duration payloadDeadline,
    @NotNull @Min(1) @Max(4096) Integer maxConnections,
    @NotNull @Min(1) @Max(100_000) Integer syncQueueSize,
    @NotNull @MinDataSize(1024) DataSize maxResponseSize) {

  /** How long an idle pooled connection is kept when the peer does not say. */
  private static final long KEEP_ALIVE_SECONDS = 30;

  public UpstreamFactory {
    timeout = timeout == null ? Duration.seconds(1) : timeout;
    connectTimeout = connectTimeout == null ? Duration.milliseconds(500) : connectTimeout;
    payloadDeadline = payloadDeadline == null ? Duration.seconds(1) : payloadDeadline;
    maxConnections = maxConnections == null ? 64 : maxConnections;
    syncQueueSize = syncQueueSize == null ? 256 : syncQueueSize;
    maxResponseSize = maxResponseSize == null ? DataSize.mebibytes(32) : maxResponseSize;
  }

  /**
   * A pooled HTTP client for this upstream, closed with the application.
   *
   * <p>Built on HttpClient 5 directly rather than through Dropwizard's client builder: its
   * per-request instrumentation and default stale-connection check before every call cost more than
   * the rest of the upstream hop; the service measures upstream calls itself.
   */
  public HttpEngineClient build(
      Environment environment,
      UpstreamId id,
      Clock clock,
      DeadlineWatchdog deadlines,
      EngineMetrics metrics) {
    Timeout callTimeout = Timeout.ofNanoseconds(timeout.toNanoseconds());
    PoolingHttpClientConnectionManager pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(maxConnections)
            .setMaxConnPerRoute(maxConnections)
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(
                        Timeout.ofNanoseconds(shorter(connectTimeout, timeout).toNanoseconds()))
                    .setSocketTimeout(callTimeout)
                    // Check only connections idle for a second before reuse (a blocking read);
                    // StaleConnectionRetry covers a peer that closed one sooner.
                    .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                    .build())
            .build();
    CloseableHttpClient client =
        HttpClients.custom()
            .setConnectionManager(pool)
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(callTimeout)
                    .setResponseTimeout(callTimeout)
                    .setConnectionKeepAlive(TimeValue.ofSeconds(KEEP_ALIVE_SECONDS))
                    .build())
            .setRetryStrategy(new StaleConnectionRetry())
            .setUserAgent("rollup-boost-java")
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableConnectionState()
            .build();
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void stop() {
                client.close(CloseMode.GRACEFUL);
              }
            });
    JwtSecret secret = JwtSecret.read(Path.of(jwtSecretFile));
    return new HttpEngineClient(
        id,
        url,
        new EngineJwt(secret, clock),
        java.time.Duration.ofNanos(timeout.toNanoseconds()),
        maxResponseSize.toBytes(),
        client,
        deadlines,
        metrics);
  }

  public java.time.Duration payloadDeadlineJava() {
    return java.time.Duration.ofNanos(payloadDeadline.toNanoseconds());
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.toNanoseconds() <= b.toNanoseconds() ? a : b;
  }
}
