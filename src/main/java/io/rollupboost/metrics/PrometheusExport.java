package io.rollupboost.metrics;

import com.codahale.metrics.MetricFilter;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /prometheus} on the admin port (Prometheus text format 0.0.4): the service's own
 * families from {@link EngineMetrics}, then Dropwizard's JVM, Jetty and client metrics through the
 * client_java bridge.
 */
public final class PrometheusExport extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /**
   * Dropwizard names the bridge cannot export: Jersey's {@code *.total} timers collide with their
   * base name once client_java strips the reserved suffix (STYLE.md 2.2, trap 1).
   */
  static final MetricFilter EXPORTABLE =
      (name, metric) ->
          !name.endsWith(".total")
              && !name.endsWith(".request.filtering")
              && !name.endsWith(".response.filtering")
              && !name.endsWith(".created")
              && !name.endsWith(".bucket")
              && !name.endsWith(".info");

  private final transient EngineMetrics metrics;
  private final transient PrometheusRegistry dropwizard;

  private PrometheusExport(EngineMetrics metrics, PrometheusRegistry dropwizard) {
    this.metrics = metrics;
    this.dropwizard = dropwizard;
  }

  public static void register(Environment environment, EngineMetrics metrics) {
    PrometheusRegistry bridge = new PrometheusRegistry();
    DropwizardExports.builder()
        .dropwizardRegistry(new SnakeCaseRegistry(environment.metrics()))
        .metricFilter(EXPORTABLE)
        .register(bridge);
    environment
        .admin()
        .addServlet("prometheus", new PrometheusExport(metrics, bridge))
        .addMapping("/prometheus");
  }

  /** The whole exposition. */
  byte[] scrape() throws IOException {
    StringBuilder own = new StringBuilder(8192);
    for (TextFamily family : metrics.families()) {
      family.write(own);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
    out.writeBytes(own.toString().getBytes(StandardCharsets.UTF_8));
    PrometheusTextFormatWriter.create()
        .write(out, dropwizard.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toByteArray();
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body = scrape();
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(PrometheusTextFormatWriter.CONTENT_TYPE);
    response.setContentLength(body.length);
    try (OutputStream os = response.getOutputStream()) {
      os.write(body);
    }
  }
}
