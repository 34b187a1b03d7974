package io.rollupboost.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A read-only view of Dropwizard's registry under Prometheus-friendly names, so the scrape passes
 * {@code promtool check metrics}: camelCase becomes snake_case, and gauges lose a trailing {@code
 * .count} (promtool reserves {@code _count} for histograms and summaries).
 */
final class SnakeCaseRegistry extends MetricRegistry {
  private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

  private final MetricRegistry source;

  SnakeCaseRegistry(MetricRegistry source) {
    this.source = source;
  }

  static String snake(String name) {
    return CAMEL.matcher(name).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public SortedMap<String, Gauge> getGauges(MetricFilter filter) {
    SortedMap<String, Gauge> out = new TreeMap<>();
    source
        .getGauges(filter)
        .forEach(
            (name, gauge) ->
                out.put(
                    snake(name.endsWith(".count") ? name.substring(0, name.length() - 6) : name),
                    gauge));
    return out;
  }

  @Override
  public SortedMap<String, Counter> getCounters(MetricFilter filter) {
    return renamed(source.getCounters(filter));
  }

  @Override
  public SortedMap<String, Histogram> getHistograms(MetricFilter filter) {
    return renamed(source.getHistograms(filter));
  }

  @Override
  public SortedMap<String, Meter> getMeters(MetricFilter filter) {
    return renamed(source.getMeters(filter));
  }

  @Override
  public SortedMap<String, Timer> getTimers(MetricFilter filter) {
    return renamed(source.getTimers(filter));
  }

  private static <T extends Metric> SortedMap<String, T> renamed(Map<String, T> metrics) {
    SortedMap<String, T> out = new TreeMap<>();
    metrics.forEach((name, metric) -> out.put(snake(name), metric));
    return out;
  }
}
