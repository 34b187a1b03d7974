package io.rollupboost.config;

import io.dropwizard.client.HttpClientBuilder;
import io.dropwizard.client.HttpClientConfiguration;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.StaleConnectionRetry;
import io.rollupboost.upstream.UpstreamId;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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

  public UpstreamFactory {
    timeout = timeout == null ? Duration.seconds(1) : timeout;
    connectTimeout = connectTimeout == null ? Duration.milliseconds(500) : connectTimeout;
    payloadDeadline = payloadDeadline == null ? Duration.seconds(1) : payloadDeadline;
    maxConnections = maxConnections == null ? 64 : maxConnections;
    syncQueueSize = syncQueueSize == null ? 256 : syncQueueSize;
    maxResponseSize = maxResponseSize == null ? DataSize.mebibytes(64) : maxResponseSize;
  }

  /** A pooled, instrumented HTTP client for this upstream, closed with the application. */
  public HttpEngineClient build(
      Environment environment,
      UpstreamId id,
      Clock clock,
      ScheduledExecutorService deadlines,
      EngineMetrics metrics) {
    HttpClientConfiguration http = new HttpClientConfiguration();
    http.setTimeout(timeout);
    http.setConnectionTimeout(shorter(connectTimeout, timeout));
    http.setConnectionRequestTimeout(timeout);
    http.setKeepAlive(Duration.seconds(30));
    // Dropwizard's default (0) checks every pooled connection for staleness before each request,
    // a blocking read that costs about a millisecond per call on the hot path. Check only
    // connections idle for a second; StaleConnectionRetry covers a peer that closed one sooner.
    http.setValidateAfterInactivityPeriod(Duration.seconds(1));
    http.setMaxConnections(maxConnections);
    http.setMaxConnectionsPerRoute(maxConnections);
    // Dropwizard ignores a custom retry strategy when retries is 0; StaleConnectionRetry itself
    // only ever retries a request that a dead pooled connection never delivered.
    http.setRetries(StaleConnectionRetry.MAX_STALE_RETRIES);
    http.setUserAgent(Optional.of("rollup-boost-java"));
    var client =
        new HttpClientBuilder(environment)
            .using(http)
            .using(new StaleConnectionRetry())
            .build(id.label());
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
