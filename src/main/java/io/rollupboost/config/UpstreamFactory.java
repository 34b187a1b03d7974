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
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamId;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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

  /**
   * How long an idle pooled connection is kept before the client closes it: below the 5 s idle
   * timeout of Node's HTTP server (ethereumjs), so that this side closes first; otherwise a call
   * sent as the server closes the connection arrives nowhere (the client then sends it again).
   */
  private static final long KEEP_ALIVE_SECONDS = 4;

  private static final int UPSTREAM_THREADS = 8;

  public UpstreamFactory {
    timeout = timeout == null ? Duration.seconds(1) : timeout;
    connectTimeout = connectTimeout == null ? Duration.milliseconds(500) : connectTimeout;
    payloadDeadline = payloadDeadline == null ? Duration.seconds(1) : payloadDeadline;
    maxConnections = maxConnections == null ? 64 : maxConnections;
    syncQueueSize = syncQueueSize == null ? 256 : syncQueueSize;
    maxResponseSize = maxResponseSize == null ? DataSize.mebibytes(32) : maxResponseSize;
  }

  /**
   * A pooled, non-blocking HTTP/1.1 client for this upstream (Jetty's, the same I/O stack as the
   * server), started and stopped with the application.
   */
  public HttpEngineClient build(
      Environment environment, UpstreamId id, Clock clock, EngineMetrics metrics) {
    // A fixed pool (selector, address resolution, completions): none of its work blocks, and a
    // fixed size keeps thread counts flat through incidents.
    QueuedThreadPool threads = new QueuedThreadPool(UPSTREAM_THREADS, UPSTREAM_THREADS);
    threads.setName("upstream-" + id.label());
    threads.setDaemon(true);
    // Responses are handled on the selector thread: the listeners only copy bytes and complete a
    // future (whose dependents write to op-node's connection without blocking), so handing each
    // response to another thread would only add a context switch.
    HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(1);
    transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
    HttpClient client = new HttpClient(transport);
    client.setExecutor(threads);
    client.setName("upstream-" + id.label());
    client.setMaxConnectionsPerDestination(maxConnections);
    client.setMaxRequestsQueuedPerDestination(Math.max(1024, maxConnections * 16));
    client.setConnectTimeout(shorter(connectTimeout, timeout).toMilliseconds());
    client.setIdleTimeout(TimeUnit.SECONDS.toMillis(KEEP_ALIVE_SECONDS));
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "rollup-boost-java"));
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void start() throws Exception {
                client.start();
              }

              @Override
              public void stop() throws Exception {
                client.stop();
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
        metrics);
  }

  public java.time.Duration payloadDeadlineJava() {
    return java.time.Duration.ofNanos(payloadDeadline.toNanoseconds());
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.toNanoseconds() <= b.toNanoseconds() ? a : b;
  }
}
