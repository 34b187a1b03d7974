package io.rollupboost.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A labelled metric family written straight to the Prometheus text format. The service's contract
 * names (for example {@code rollup_boost_blocks_created_total}) are valid Prometheus names that
 * client_java 1.4.3 refuses because of the OpenMetrics {@code _created} suffix rule, so these
 * families are kept and rendered here; everything else still goes through client_java.
 */
abstract class TextFamily {
  final String name;
  final String help;
  final List<String> labelNames;

  TextFamily(String name, String help, String... labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = List.of(labelNames);
  }

  abstract String type();

  abstract void writeSamples(StringBuilder out);

  final void write(StringBuilder out) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type()).append('\n');
    writeSamples(out);
  }

  static String key(String... values) {
    return String.join("\u0000", values);
  }

  void labels(StringBuilder out, String key, String extraName, String extraValue) {
    String[] values =
        key.isEmpty() && labelNames.isEmpty() ? new String[0] : key.split("\u0000", -1);
    if (values.length == 0 && extraName == null) {
      return;
    }
    out.append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(labelNames.get(i)).append("=\"").append(escape(values[i])).append('"');
    }
    if (extraName != null) {
      out.append(values.length > 0 ? "," : "")
          .append(extraName)
          .append("=\"")
          .append(extraValue)
          .append('"');
    }
    out.append('}');
  }

  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** A counter; {@code name} ends in {@code _total}. */
  static final class Counter extends TextFamily {
    private final Map<String, DoubleAdder> values = new ConcurrentSkipListMap<>();

    Counter(String name, String help, String... labelNames) {
      super(name, help, labelNames);
    }

    @Override
    String type() {
      return "counter";
    }

    /** Exports the series at 0 before its first increment, so rate() works from the start. */
    void init(String... labelValues) {
      values.computeIfAbsent(key(labelValues), k -> new DoubleAdder());
    }

    void inc(String... labelValues) {
      values.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(1);
    }

    Map<String, Double> snapshot() {
      Map<String, Double> out = new java.util.TreeMap<>();
      values.forEach((k, v) -> out.put(k.replace('\u0000', ','), v.sum()));
      return out;
    }

    @Override
    void writeSamples(StringBuilder out) {
      values.forEach(
          (k, v) -> {
            out.append(name);
            labels(out, k, null, null);
            out.append(' ').append(number(v.sum())).append('\n');
          });
    }
  }

  /** A gauge with set values, or one callback when it has no labels. */
  static final class Gauge extends TextFamily {
    private final Map<String, Double> values = new ConcurrentSkipListMap<>();
    private volatile DoubleSupplier callback;

    Gauge(String name, String help, String... labelNames) {
      super(name, help, labelNames);
    }

    @Override
    String type() {
      return "gauge";
    }

    void set(double value, String... labelValues) {
      values.put(key(labelValues), value);
    }

    void callback(DoubleSupplier supplier) {
      this.callback = supplier;
    }

    @Override
    void writeSamples(StringBuilder out) {
      DoubleSupplier cb = callback;
      if (cb != null) {
        out.append(name).append(' ').append(number(cb.getAsDouble())).append('\n');
        return;
      }
      values.forEach(
          (k, v) -> {
            out.append(name);
            labels(out, k, null, null);
            out.append(' ').append(number(v)).append('\n');
          });
    }
  }

  /** A classic histogram with fixed upper bounds in seconds. */
  static final class Histogram extends TextFamily {
    private final double[] bounds;
    private final Map<String, Series> series = new ConcurrentSkipListMap<>();

    Histogram(String name, String help, double[] bounds, String... labelNames) {
      super(name, help, labelNames);
      this.bounds = bounds.clone();
      Arrays.sort(this.bounds);
    }

    @Override
    String type() {
      return "histogram";
    }

    void observe(double value, String... labelValues) {
      Series s = series.computeIfAbsent(key(labelValues), k -> new Series(bounds.length));
      int i = Arrays.binarySearch(bounds, value);
      int bucket = i >= 0 ? i : -i - 1;
      s.buckets[bucket].increment();
      s.sum.add(value);
    }

    @Override
    void writeSamples(StringBuilder out) {
      series.forEach(
          (k, s) -> {
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
              cumulative += s.buckets[i].sum();
              out.append(name).append("_bucket");
              labels(
                  out,
                  k,
                  "le",
                  i == bounds.length
                      ? "+Inf"
                      : java.math.BigDecimal.valueOf(bounds[i]).toPlainString());
              out.append(' ').append(cumulative).append('\n');
            }
            out.append(name).append("_sum");
            labels(out, k, null, null);
            out.append(' ').append(s.sum.sum()).append('\n');
            out.append(name).append("_count");
            labels(out, k, null, null);
            out.append(' ').append(cumulative).append('\n');
          });
    }

    private static final class Series {
      final LongAdder[] buckets;
      final DoubleAdder sum = new DoubleAdder();

      Series(int bounds) {
        buckets = new LongAdder[bounds + 1];
        for (int i = 0; i < buckets.length; i++) {
          buckets[i] = new LongAdder();
        }
      }
    }
  }
}
