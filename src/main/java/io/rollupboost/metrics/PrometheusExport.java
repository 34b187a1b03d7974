package io.rollupboost.metrics;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code GET /prometheus} on the admin port: our own labelled families plus Dropwizard's JVM, Jetty
 * and client metrics through the bridge.
 */
public final class PrometheusExport {
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

  private PrometheusExport() {}

  public static void register(Environment environment, PrometheusRegistry registry) {
    register(environment.metrics(), registry);
    environment
        .admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(registry))
        .addMapping("/prometheus");
  }

  static void register(MetricRegistry dropwizard, PrometheusRegistry registry) {
    DropwizardExports.builder()
        .dropwizardRegistry(dropwizard)
        .metricFilter(EXPORTABLE)
        .register(registry);
  }
}
