package io.rollupboost.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import java.util.Set;

/**
 * Every Prometheus family the service exports under its own names (DESIGN.md section 8 plus the
 * explanatory counters). Label values are bounded: upstream ids, a fixed method set, fixed reason
 * strings.
 */
public final class EngineMetrics {
  /** Methods that get their own label value; any other method is counted as {@code other}. */
  private static final Set<String> KNOWN_METHODS =
      Set.of(
          "engine_forkchoiceUpdatedV3",
          "engine_getPayloadV3",
          "engine_getPayloadV4",
          "engine_getPayloadV5",
          "engine_newPayloadV3",
          "engine_newPayloadV4",
          "engine_exchangeCapabilities",
          "eth_getBlockByNumber",
          "eth_sendRawTransaction",
          "eth_sendRawTransactionConditional",
          "miner_setExtra",
          "miner_setGasPrice",
          "miner_setGasLimit",
          "miner_setMaxDASize",
          "eth_chainId",
          "eth_blockNumber",
          "eth_call",
          "eth_getBalance",
          "eth_getTransactionCount",
          "eth_getTransactionReceipt");

  private final PrometheusRegistry registry;
  private final Counter blocksCreated;
  private final Counter fallbacks;
  private final Histogram upstreamDuration;
  private final Counter upstreamErrors;
  private final Counter upstreamFailures;
  private final Counter builderLaneDropped;
  private final Counter rejectedRequests;
  private final Counter builderBypass;
  private final Counter healthTransitions;
  private final Gauge headAge;
  private final Gauge headNumber;

  public EngineMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    blocksCreated =
        Counter.builder()
            .name("rollup_boost_blocks_created_total")
            .help("Blocks returned to op-node by getPayload, by the engine that built them")
            .labelNames("source")
            .register(registry);
    fallbacks =
        Counter.builder()
            .name("rollup_boost_builder_fallbacks_total")
            .help("getPayload answered with the L2 block although a builder block was expected")
            .labelNames("reason")
            .register(registry);
    upstreamDuration =
        Histogram.builder()
            .name("rollup_boost_upstream_request_duration_seconds")
            .help("Latency of JSON-RPC calls to the L2 client and the builder")
            .labelNames("upstream", "method")
            .classicOnly()
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5,
                2, 3, 5)
            .register(registry);
    upstreamErrors =
        Counter.builder()
            .name("rollup_boost_upstream_errors_total")
            .help("Calls to an upstream that failed (transport failure or JSON-RPC error)")
            .labelNames("upstream", "method")
            .register(registry);
    upstreamFailures =
        Counter.builder()
            .name("rollup_boost_upstream_failures_total")
            .help("Upstream calls that got no JSON-RPC answer, by cause")
            .labelNames("upstream", "kind")
            .register(registry);
    builderLaneDropped =
        Counter.builder()
            .name("rollup_boost_builder_sync_dropped_total")
            .help(
                "Builder sync calls (newPayload, forkchoiceUpdated) dropped because the queue was full")
            .register(registry);
    rejectedRequests =
        Counter.builder()
            .name("rollup_boost_rpc_rejected_total")
            .help("Inbound JSON-RPC requests answered with an error before reaching an upstream")
            .labelNames("reason")
            .register(registry);
    builderBypass =
        Counter.builder()
            .name("rollup_boost_builder_bypass_total")
            .help("Block-production calls not sent to the builder because it was unhealthy")
            .labelNames("method")
            .register(registry);
    healthTransitions =
        Counter.builder()
            .name("rollup_boost_health_transitions_total")
            .help("Changes of a component's health state")
            .labelNames("component", "from", "to")
            .register(registry);
    headAge =
        Gauge.builder()
            .name("rollup_boost_head_age_seconds")
            .help("Age of each upstream's latest block against wall clock at the last probe")
            .labelNames("upstream")
            .register(registry);
    headNumber =
        Gauge.builder()
            .name("rollup_boost_head_number")
            .help("Number of each upstream's latest block at the last probe")
            .labelNames("upstream")
            .register(registry);
  }

  /** Exports {@code rollup_boost_execution_mode} (3 enabled, 2 dry_run, 1 disabled). */
  public void executionMode(java.util.function.IntSupplier mode) {
    io.prometheus.metrics.core.metrics.GaugeWithCallback.builder()
        .name("rollup_boost_execution_mode")
        .help("Execution mode: 3 enabled, 2 dry_run, 1 disabled")
        .callback(cb -> cb.call(mode.getAsInt()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public static String methodLabel(String method) {
    return KNOWN_METHODS.contains(method) ? method : "other";
  }

  public void upstreamCall(
      UpstreamId upstream, String method, long nanos, UpstreamException failure) {
    String m = methodLabel(method);
    upstreamDuration.labelValues(upstream.label(), m).observe(nanos / 1e9);
    if (failure != null) {
      upstreamErrors.labelValues(upstream.label(), m).inc();
      upstreamFailures.labelValues(upstream.label(), failure.kind().label()).inc();
    }
  }

  /** A JSON-RPC error answer from an upstream (the call itself worked). */
  public void upstreamRpcError(UpstreamId upstream, String method) {
    upstreamErrors.labelValues(upstream.label(), methodLabel(method)).inc();
  }

  public void blockCreated(UpstreamId source) {
    blocksCreated.labelValues(source.label()).inc();
  }

  public void fallback(String reason) {
    fallbacks.labelValues(reason).inc();
  }

  public void builderSyncDropped() {
    builderLaneDropped.inc();
  }

  public void rejected(String reason) {
    rejectedRequests.labelValues(reason).inc();
  }

  public void builderBypassed(String method) {
    builderBypass.labelValues(methodLabel(method)).inc();
  }

  public void healthTransition(String component, String from, String to) {
    healthTransitions.labelValues(component, from, to).inc();
  }

  public void head(UpstreamId upstream, double ageSeconds, long number) {
    headAge.labelValues(upstream.label()).set(ageSeconds);
    headNumber.labelValues(upstream.label()).set(number);
  }
}
